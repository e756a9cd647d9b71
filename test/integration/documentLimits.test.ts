import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import { appendTimelineEntry, editTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenSynced, withTimeout } from "../helpers/clients.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

/** Writes one entry and resolves with "acked", or with the reason the server closed the document with. */
function write(provider: HocuspocusProvider, text: string): Promise<string> {
  let onClose!: (payload: { event: { reason: string } }) => void;
  const closed = new Promise<string>((resolve) => {
    onClose = ({ event }) => resolve(event.reason);
    provider.on("close", onClose);
  });
  appendTimelineEntry(provider.document, { author: "Filler", text });
  return withTimeout(
    Promise.race([whenAcknowledged(provider).then(() => "acked"), closed]),
    10_000,
    "ack or refusal",
  ).finally(() => provider.off("close", onClose));
}

describe("document limits", () => {
  const servers: TestServer[] = [];
  const providers: HocuspocusProvider[] = [];
  afterEach(async () => {
    providers.splice(0).forEach((p) => {
      p.destroy();
    });
    for (const server of servers.splice(0)) await server.close();
  });

  it("an update that would push the document past MAX_DOCUMENT_BYTES is refused unapplied and unacknowledged, and REST writes then answer 413", async () => {
    const dataDir = tempDataDir();
    const server = await startTestServer({
      dataDir,
      env: { MAX_DOCUMENT_BYTES: String(1024 * 1024) },
    });
    servers.push(server);
    const key = (await server.api("POST", "/api/incidents", { summary: "Log flood", severity: 2 }))
      .body.key;
    const writer = connectProvider(server.wsUrl, key, server.token);
    providers.push(writer);
    await whenSynced(writer);

    // 39 KB entries until the server refuses one (the limit is 1 MiB: about the 27th).
    const chunk = "x".repeat(39_000);
    let accepted = 0;
    let refusal = "acked";
    for (let i = 0; i < 40 && refusal === "acked"; i++) {
      refusal = await write(writer, `${i} ${chunk}`);
      if (refusal === "acked") accepted++;
    }
    expect(refusal).toBe("document-too-large");
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThanOrEqual(27);
    expect(writer.hasUnsyncedChanges).toBe(true);

    const refusedText = `${accepted} ${chunk}`;
    const live = (await server.api("GET", `/api/incidents/${key}`)).body;
    const texts = live.timeline.map((e: { text: string }) => e.text);
    expect(texts).not.toContain(refusedText);
    expect(texts.filter((t: string) => t.endsWith(chunk))).toHaveLength(accepted);

    const posted = await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "one more line",
    });
    expect(posted.status).toBe(413);
    expect(posted.body.error.code).toBe("document_too_large");
    expect(posted.body.error.message).toContain("MAX_DOCUMENT_BYTES");
    const patched = await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
    expect(patched.status).toBe(413);
    expect((await server.api("GET", `/api/incidents/${key}`)).body).toEqual(live);

    // Nothing refused reached the store.
    writer.destroy();
    await server.close();
    servers.splice(0);
    const again = await startTestServer({ dataDir });
    servers.push(again);
    const stored = (await again.api("GET", `/api/incidents/${key}`)).body;
    expect(stored.timeline.map((e: { text: string }) => e.text)).not.toContain(refusedText);
    expect(stored.timeline.map((e: { text: string }) => e.text)).not.toContain("one more line");
    expect(stored.severity).toBe(2);
  }, 60_000);

  it("an update that would add records past MAX_RECORDS is refused, other edits of the full document still pass, and REST writes answer 413", async () => {
    const server = await startTestServer({ env: { MAX_RECORDS: "100" } });
    servers.push(server);
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Chatty room", severity: 3 })
    ).body.key;
    const writer = connectProvider(server.wsUrl, key, server.token);
    providers.push(writer);
    await whenSynced(writer);

    let refusal = "acked";
    for (let i = 0; i < 150 && refusal === "acked"; i++) refusal = await write(writer, `line ${i}`);
    expect(refusal).toBe("document-too-large");
    const live = (await server.api("GET", `/api/incidents/${key}`)).body;
    const records = [
      "timeline",
      "roles",
      "links",
      "changes",
      "observations",
      "theories",
      "experiments",
      "comms",
      "followUps",
      "streams",
    ]
      .map((c) => (Array.isArray(live[c]) ? live[c].length : 0))
      .reduce((a, b) => a + b, 0);
    expect(records).toBe(100);

    const posted = await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "over the limit",
    });
    expect(posted.status).toBe(413);
    expect(posted.body.error.code).toBe("document_too_large");
    expect(posted.body.error.message).toContain("MAX_RECORDS");
    expect(readTimeline(writer.document).some((e) => e.text === "over the limit")).toBe(false);

    // Another editor joins: it sees the full document without the refused line, and may
    // still edit what is there (an edit adds no record).
    const editor = connectProvider(server.wsUrl, key, server.token);
    providers.push(editor);
    await whenSynced(editor);
    expect(readTimeline(editor.document)).toHaveLength(live.timeline.length);
    const first = readTimeline(editor.document).find((e) => e.text === "line 0");
    editTimelineEntry(editor.document, first!.id, "line 0 (corrected)");
    await whenAcknowledged(editor);
    const after = (await server.api("GET", `/api/incidents/${key}`)).body;
    expect(after.timeline.map((e: { text: string }) => e.text)).toContain("line 0 (corrected)");
  }, 60_000);
});
