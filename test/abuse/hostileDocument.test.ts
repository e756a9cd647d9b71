import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { richText } from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("a document written by a hostile CRDT client", () => {
  let server: TestServer;
  let key: string;
  beforeEach(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Hostile notes", severity: 2 }))
      .body.key;
  });
  afterEach(async () => {
    await server.close();
  });

  it("heading levels that are no level (-3, Infinity, 1e9, text) never break reads or exports", async () => {
    const responder = (
      await server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Mallory",
      })
    ).body.token;
    const provider = connectProvider(server.wsUrl, key, responder, new Y.Doc());
    await whenSynced(provider);
    const notes = richText(provider.document, "notes");
    provider.document.transact(() => {
      for (const level of [-3, Number.POSITIVE_INFINITY, 1e9, "huge", null]) {
        const heading = new Y.XmlElement("heading");
        heading.setAttribute("level", level as unknown as string);
        heading.insert(0, [new Y.XmlText(`level ${String(level)}`)]);
        notes.insert(notes.length, [heading]);
      }
    });
    await whenAcknowledged(provider);
    provider.destroy();

    const read = await server.api("GET", `/api/incidents/${key}`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain("level -3");
    for (const format of ["markdown", "html", "confluence", "json"]) {
      const exported = await server.api("GET", `/api/incidents/${key}/export?format=${format}`);
      expect(exported.status, format).toBe(200);
      expect(
        String(typeof exported.body === "string" ? exported.body : JSON.stringify(exported.body)),
      ).not.toMatch(/<h(nan|0|7|9|-)/i);
    }
  });
});
