import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../../server/storage/records.ts";
import type { StoresHarness } from "./harness.ts";

/** The SessionStore and PeopleDirectory contracts: browser sessions and signed-in people. */
export function describeSessions(h: StoresHarness): void {
  const session: SessionRecord = {
    id: "s1",
    secretHash: "ab".repeat(32),
    subject: "oidc:alice",
    name: "Alice",
    email: "alice@example.com",
    role: "responder",
    scope: "*",
    tokenId: null,
    via: "oidc",
    csrf: "c1",
    createdAt: 1000,
    expiresAt: 10_000,
    revokedAt: null,
  };

  describe("SessionStore", () => {
    it("records, finds, revokes and lists browser sessions", async () => {
      const sessions = h.stores.sessions;
      expect(await sessions.findSession("s1")).toBeNull();
      await sessions.saveSession(session);
      await sessions.saveSession({
        ...session,
        id: "s2",
        createdAt: 2000,
        expiresAt: 3000,
        email: null,
        tokenId: "t1",
        via: "link",
      });
      expect(await sessions.findSession("s1")).toEqual(session);
      expect((await sessions.listSessions(2500)).map((s) => s.id)).toEqual(["s2", "s1"]);
      expect((await sessions.listSessions(5000)).map((s) => s.id)).toEqual(["s1"]);
      expect(await sessions.revokeSession("s1", 4000)).toBe(true);
      expect(await sessions.revokeSession("s1", 4500)).toBe(true);
      expect(await sessions.revokeSession("nope")).toBe(false);
      expect((await sessions.findSession("s1"))?.revokedAt).toBe(4000);
    });

    it("finds a session another process signed in, and sees it revoked there", async () => {
      const other = await h.sibling();
      await h.stores.sessions.saveSession(session);
      expect(await other.sessions.findSession("s1")).toEqual(session);
      expect(await other.sessions.revokeSession("s1", 4000)).toBe(true);
      expect((await h.stores.sessions.findSession("s1"))?.revokedAt).toBe(4000);
    });
  });

  describe("PeopleDirectory", () => {
    it("remembers signed-in people and finds them by email, whatever its case", async () => {
      const people = h.stores.people;
      expect(await people.findPersonByEmail("bob@example.com")).toBeNull();
      await people.savePerson({
        subject: "oidc:bob",
        name: "Bob",
        email: "Bob@Example.com",
        updatedAt: 1,
      });
      await people.savePerson({
        subject: "oidc:bob",
        name: "Bob Baker",
        email: "bob@example.com",
        updatedAt: 2,
      });
      expect(await people.findPersonByEmail("BOB@example.COM")).toEqual({
        subject: "oidc:bob",
        name: "Bob Baker",
        email: "bob@example.com",
        updatedAt: 2,
      });
    });
  });
}
