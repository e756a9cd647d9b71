import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { bridgePrincipal } from "#shared/access.ts";
import { appendTimelineEntry, readTimeline, setIncidentFields } from "#shared/doc/index.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Who the store recorded as the writer of each update of `doc`, in order. */
function storedOrigins(dataDir: string, doc: string): string[] {
  const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"), { readOnly: true });
  try {
    return db
      .prepare("SELECT origin FROM updates WHERE doc = ? ORDER BY id")
      .all(doc)
      .map((row) => String(row.origin));
  } finally {
    db.close();
  }
}

describe("the chat bridge's identity", () => {
  let server: TestServer;
  let linked: string;
  let other: string;
  const stateVector = (key: string) =>
    server.hotdoc.incidents.withDoc(key, (doc) => Y.encodeStateVector(doc));

  beforeAll(async () => {
    server = await startTestServer({ env: SECRETS });
    linked = (await server.api("POST", "/api/incidents", { summary: "Linked", severity: 2 })).body
      .key;
    other = (await server.api("POST", "/api/incidents", { summary: "Other", severity: 3 })).body
      .key;
    const link = await server.api("POST", `/api/incidents/${linked}/channels`, {
      platform: "slack",
      channel: "C0BRIDGE",
    });
    expect(link.status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
  });

  it("writes a room's messages and commands as the platform's bridge", async () => {
    const ts = `${Math.floor(Date.now() / 1000) - 5}.000100`;
    const answer = await deliver(
      server.url,
      slackSigned(slackMessage("C0BRIDGE", "U0PRIYA", "sev 1", ts)),
    );
    expect(answer.status).toBe(200);
    const incident = (await server.api("GET", `/api/incidents/${linked}`)).body;
    expect(incident.severity).toBe(1);
    expect(incident.timeline.map((e: { text: string }) => e.text)).toContain("sev 1");
    // The store names the writer of every update: the chat delivery's is the bridge.
    expect(storedOrigins(server.dataDir, linked).at(-1)).toBe("local:bridge:bridge:slack");
  });

  it("is refused by the policy outside its room's incident and outside chat, and changes nothing", async () => {
    const bridge = bridgePrincipal("slack", linked);
    const before = { linked: await stateVector(linked), other: await stateVector(other) };

    const intoOther = server.hotdoc.incidents.write(
      other,
      bridge,
      (doc) => appendTimelineEntry(doc, { text: "crossed over", author: "x", source: "slack" }),
      "bridge",
    );
    await expect(intoOther).rejects.toMatchObject({ code: "forbidden" });
    // The default action is an edit, which a bridge never has, even on its own incident.
    const edit = server.hotdoc.incidents.write(linked, bridge, (doc, actor) =>
      setIncidentFields(doc, { summary: "renamed by chat" }, actor),
    );
    await expect(edit).rejects.toMatchObject({ code: "forbidden" });
    const declare = server.hotdoc.incidents.create({ summary: "From chat", severity: 3 }, bridge);
    await expect(declare).rejects.toMatchObject({ code: "forbidden" });

    expect(await stateVector(linked)).toEqual(before.linked);
    expect(await stateVector(other)).toEqual(before.other);
    const texts = await server.hotdoc.incidents.withDoc(other, (doc) =>
      readTimeline(doc).map((e) => e.text),
    );
    expect(texts).not.toContain("crossed over");
    const list = (await server.api("GET", "/api/incidents")).body.incidents;
    expect(list.map((i: { summary: string }) => i.summary)).not.toContain("From chat");
  });

  it("cannot be minted as a token: only the platforms' secrets speak for the bridge", async () => {
    const minted = await server.api("POST", "/api/tokens", {
      role: "bridge",
      scope: linked,
      name: "a bridge token",
    });
    expect(minted.status).toBe(400);
    expect(minted.body.error).toMatchObject({ code: "validation_failed", field: "role" });
  });
});
