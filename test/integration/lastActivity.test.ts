import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendTimelineEntry,
  recordChange,
  setRichTextPlain,
  setSeverity,
} from "#shared/doc/index.ts";
import type { IncidentListItem } from "#shared/incidentList.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Waits until the clock has moved past `instant` (ISO), so the next write is visibly later. */
async function clockPast(instant: string): Promise<void> {
  const target = Date.parse(instant) + 5;
  while (Date.now() <= target) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("the dashboard's last activity", () => {
  let server: TestServer;
  const providers: HocuspocusProvider[] = [];
  const open = (key: string, token = server.token) => {
    const provider = connectProvider(server.wsUrl, key, token);
    providers.push(provider);
    return provider;
  };
  const listed = async (key: string): Promise<IncidentListItem> => {
    const list = await server.api("GET", "/api/incidents");
    expect(list.status).toBe(200);
    const item = (list.body.incidents as IncidentListItem[]).find((i) => i.key === key);
    if (!item) throw new Error(`${key} is not in the list`);
    return item;
  };
  const declare = async (summary: string) => {
    const created = await server.api("POST", "/api/incidents", { summary, severity: 2 });
    expect(created.status).toBe(201);
    return created.body.key as string;
  };

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const provider of providers.splice(0)) provider.destroy();
    await server.close();
  });

  it("moves with timeline entries, notes and changes written through a real provider", async () => {
    const key = await declare("Search is slow");
    const declared = await listed(key);
    // Nothing happened since the declaration yet: the last activity is the declaration.
    const createdAt = Date.parse(declared.createdAt as string);
    expect(Date.parse(declared.lastActivityAt)).toBeGreaterThanOrEqual(createdAt);
    expect(Date.parse(declared.lastActivityAt)).toBeLessThan(createdAt + 1000);

    const alice = open(key);
    await whenSynced(alice);
    await clockPast(declared.lastActivityAt);
    // Timeline entries alone: the incident's own fields (updatedAt) stay as they were.
    const beforeEntries = Date.now();
    for (let i = 0; i < 300; i++)
      appendTimelineEntry(alice.document, { author: "Alice", text: `probe ${i} still slow` });
    await whenAcknowledged(alice);
    const afterEntries = await listed(key);
    expect(Date.parse(afterEntries.lastActivityAt)).toBeGreaterThanOrEqual(beforeEntries);
    expect(afterEntries.updatedAt).toBe(declared.updatedAt);

    await clockPast(afterEntries.lastActivityAt);
    const beforeNotes = Date.now();
    setRichTextPlain(alice.document, "notes", "Suspect the new index; Bob is checking.");
    await whenAcknowledged(alice);
    const afterNotes = await listed(key);
    expect(Date.parse(afterNotes.lastActivityAt)).toBeGreaterThanOrEqual(beforeNotes);
    expect(afterNotes.lastActivityAt > afterEntries.lastActivityAt).toBe(true);

    await clockPast(afterNotes.lastActivityAt);
    const beforeChange = Date.now();
    recordChange(alice.document, {
      author: "Alice",
      what: "Dropped the new index",
      revertSteps: "CREATE INDEX …",
      state: "applied",
    });
    await whenAcknowledged(alice);
    const afterChange = await listed(key);
    expect(Date.parse(afterChange.lastActivityAt)).toBeGreaterThanOrEqual(beforeChange);
    expect(afterChange.updatedAt).toBe(declared.updatedAt);
  });

  it("does not move when people only open or watch the incident", async () => {
    const key = await declare("Login is slow");
    const declared = await listed(key);
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "viewer",
      name: "Stakeholder",
    });
    expect(link.status).toBe(201);
    const responder = open(key);
    const viewer = open(key, link.body.token as string);
    await Promise.all([whenSynced(responder), whenSynced(viewer)]);
    await clockPast(declared.lastActivityAt);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await listed(key)).lastActivityAt).toBe(declared.lastActivityAt);
    // The same responder writing moves it: the check above could have failed.
    setSeverity(responder.document, 1, { name: "Responder", source: "editor" });
    await whenAcknowledged(responder);
    expect((await listed(key)).lastActivityAt > declared.lastActivityAt).toBe(true);
  });

  it("keeps each incident's own activity: a busy incident does not move a quiet one", async () => {
    const quiet = await declare("Quiet one");
    const busy = await declare("Busy one");
    const quietBefore = await listed(quiet);
    const provider = open(busy);
    await whenSynced(provider);
    await clockPast(quietBefore.lastActivityAt);
    appendTimelineEntry(provider.document, { author: "Bo", text: "still busy" });
    await whenAcknowledged(provider);
    expect((await listed(quiet)).lastActivityAt).toBe(quietBefore.lastActivityAt);
    expect((await listed(busy)).lastActivityAt > quietBefore.lastActivityAt).toBe(true);
  });
});
