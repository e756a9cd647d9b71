import { describe, expect, it } from "vitest";
import type { StoresHarness } from "./harness.ts";

/** The AccessTokenStore contract: minted tokens, their revocation and their children. */
export function describeAccessTokens(h: StoresHarness): void {
  describe("AccessTokenStore", () => {
    it("records, lists, revokes and reports minted tokens", async () => {
      const tokens = h.stores.tokens;
      const base = {
        role: "viewer" as const,
        name: "Support",
        createdBy: "admin",
        revokedAt: null,
        shared: false,
        parent: null,
      };
      await tokens.saveAccessToken({
        ...base,
        id: "t1",
        scope: "HOT-1",
        createdAt: 1000,
        expiresAt: 9000,
      });
      await tokens.saveAccessToken({
        ...base,
        id: "t2",
        scope: "HOT-2",
        createdAt: 2000,
        expiresAt: 9000,
      });
      await tokens.saveAccessToken({
        ...base,
        id: "t3",
        scope: "HOT-1",
        role: "responder",
        createdAt: 3000,
        expiresAt: 9000,
      });
      expect((await tokens.listAccessTokens()).map((t) => t.id)).toEqual(["t3", "t2", "t1"]);
      expect((await tokens.listAccessTokens("HOT-1")).map((t) => t.id)).toEqual(["t3", "t1"]);
      expect(await tokens.accessTokenStatus("t1")).toBe("active");
      expect(await tokens.accessTokenStatus("nope")).toBe("unknown");
      expect(await tokens.revokeAccessToken("t1", 5000)).toBe(true);
      expect(await tokens.revokeAccessToken("t1", 6000)).toBe(true);
      expect(await tokens.revokeAccessToken("nope")).toBe(false);
      expect(await tokens.accessTokenStatus("t1")).toBe("revoked");
      const [revoked] = (await tokens.listAccessTokens("HOT-1")).filter((t) => t.id === "t1");
      expect(revoked).toEqual({
        ...base,
        id: "t1",
        scope: "HOT-1",
        createdAt: 1000,
        expiresAt: 9000,
        revokedAt: 5000,
      });
    });

    it("revokes the personal links minted from a shared token with it, and only those", async () => {
      const tokens = h.stores.tokens;
      const base = {
        role: "responder" as const,
        name: "Team",
        scope: "HOT-1",
        createdBy: "admin",
        createdAt: 1000,
        expiresAt: 9000,
        revokedAt: null,
      };
      await tokens.saveAccessToken({ ...base, id: "team", shared: true, parent: null });
      await tokens.saveAccessToken({
        ...base,
        id: "ann",
        name: "Ann",
        shared: false,
        parent: "team",
      });
      await tokens.saveAccessToken({ ...base, id: "other", shared: false, parent: null });
      expect(await tokens.childTokens("team")).toEqual(["ann"]);
      const shared = (await tokens.listAccessTokens("HOT-1")).find((t) => t.id === "team");
      expect(shared).toMatchObject({ shared: true, parent: null });
      expect(await tokens.revokeAccessToken("team", 2000)).toBe(true);
      expect(await tokens.accessTokenStatus("ann")).toBe("revoked");
      expect(await tokens.accessTokenStatus("other")).toBe("active");
    });

    it("shows a revocation made by another process", async () => {
      const other = await h.sibling();
      await h.stores.tokens.saveAccessToken({
        id: "t1",
        role: "viewer",
        name: "Support",
        scope: "HOT-1",
        createdAt: 1000,
        expiresAt: 9000,
        createdBy: "admin",
        revokedAt: null,
        shared: false,
        parent: null,
      });
      expect(await other.tokens.accessTokenStatus("t1")).toBe("active");
      expect(await other.tokens.revokeAccessToken("t1", 2000)).toBe(true);
      expect(await h.stores.tokens.accessTokenStatus("t1")).toBe("revoked");
    });
  });
}
