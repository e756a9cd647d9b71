import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import {
  appendTimelineEntry,
  readIncident,
  readTimeline,
  setRichTextPlain,
  setSeverity,
} from "#shared/doc/index.ts";
import {
  connectProvider,
  whenAcknowledged,
  whenDoc,
  whenRefused,
  whenSynced,
} from "../helpers/clients.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("collaboration over /collab", () => {
  let server: TestServer;
  const providers: HocuspocusProvider[] = [];
  const open = (name: string, token = server.token) => {
    const provider = connectProvider(server.wsUrl, name, token);
    providers.push(provider);
    return provider;
  };

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    providers.splice(0).forEach((p) => {
      p.destroy();
    });
    await server.close();
  });

  it("two clients editing the same incident converge", async () => {
    const created = await server.api("POST", "/api/incidents", {
      summary: "Login broken",
      severity: 1,
    });
    const key = created.body.key as string;
    const alice = open(key);
    const bob = open(key);
    await Promise.all([whenSynced(alice), whenSynced(bob)]);

    const actor = (name: string) => ({ name, source: "editor" as const });
    appendTimelineEntry(alice.document, {
      author: "Alice",
      text: "500s on /login since 10:02",
      kind: "observation",
    });
    appendTimelineEntry(bob.document, {
      author: "Bob",
      text: "Paging the identity team",
      kind: "decision",
    });
    setSeverity(bob.document, 2, actor("Bob"));
    setRichTextPlain(alice.document, "notes", "Suspect the session store");

    const converged = (doc: Y.Doc) =>
      readTimeline(doc).length === 4 && readIncident(doc).notes !== "";
    await Promise.all([whenDoc(alice.document, converged), whenDoc(bob.document, converged)]);
    expect(Y.encodeStateVector(alice.document)).toEqual(Y.encodeStateVector(bob.document));
    expect(readIncident(alice.document)).toEqual(readIncident(bob.document));
    expect(readIncident(alice.document).severity).toBe(2);

    await Promise.all([whenAcknowledged(alice), whenAcknowledged(bob)]);
    const stored = await server.api("GET", `/api/incidents/${key}`);
    expect(stored.body.timeline.map((e: { text: string }) => e.text)).toEqual(
      readIncident(alice.document).timeline.map((e) => e.text),
    );
  });

  it("a REST write reaches connected clients at once", async () => {
    const { body } = await server.api("POST", "/api/incidents", {
      summary: "Slow search",
      severity: 3,
    });
    const client = open(body.key);
    await whenSynced(client);
    const posted = await server.api("POST", `/api/incidents/${body.key}/timeline`, {
      text: "Index rebuild started",
      kind: "change",
    });
    expect(posted.status).toBe(201);
    await whenDoc(client.document, (doc) =>
      readTimeline(doc).some((e) => e.text === "Index rebuild started"),
    );
  });

  it("a wrong token is refused with a typed reason", async () => {
    const { body } = await server.api("POST", "/api/incidents", { summary: "x", severity: 3 });
    const reason = await whenRefused(open(body.key, "not-the-token-at-all"));
    expect(reason).toBe(CLOSE_REASONS.token_invalid.reason);
  });

  it("an unknown incident is refused with a typed reason and never created", async () => {
    const reason = await whenRefused(open("HOT-999"));
    expect(reason).toBe(CLOSE_REASONS.incident_not_found.reason);
    expect(await server.hotdoc.stores.incidents.incidentExists("HOT-999")).toBe(false);
    expect(await server.hotdoc.stores.log.loadState("HOT-999")).toBeNull();
  });
});
