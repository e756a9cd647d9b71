import { MessageType } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageYjsSyncStep1, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import {
  connectProvider,
  whenAcknowledged,
  whenDoc,
  whenSynced,
  withTimeout,
} from "../helpers/clients.ts";
import { authenticatedRawSocket, frame, header, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Two updates from one client where the second builds on the first. */
function dependentUpdates(base: Uint8Array): { first: Uint8Array; second: Uint8Array; doc: Y.Doc } {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const v0 = Y.encodeStateVector(doc);
  appendTimelineEntry(doc, { author: "Ordered", text: "first", kind: "note" });
  const v1 = Y.encodeStateVector(doc);
  appendTimelineEntry(doc, { author: "Ordered", text: "second", kind: "note" });
  return { first: Y.encodeStateAsUpdate(doc, v0), second: Y.encodeStateAsUpdate(doc, v1), doc };
}

/** A SyncStatus frame (the server's acknowledgement of a write). */
const isAck = (f: Uint8Array) => header(f).type === MessageType.SyncStatus;

describe("an update whose dependencies the server lacks", () => {
  let server: TestServer;
  let key: string;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Out of order", severity: 2 }))
      .body.key;
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => {
      f();
    });
    await server.close();
  });

  async function stateOnServer(): Promise<Uint8Array> {
    return new Uint8Array(
      await (
        await fetch(`${server.url}/api/incidents/${key}/state`, {
          headers: { authorization: `Bearer ${server.token}` },
        })
      ).arrayBuffer(),
    );
  }

  it("is never acknowledged, closes the connection with missing-dependencies, and its sender's resend lands both", async () => {
    const { second, doc } = dependentUpdates(await stateOnServer());
    const raw = await authenticatedRawSocket(server.wsUrl, key, server.token);
    cleanups.push(() => raw.close());
    const mark = raw.frames.length;
    raw.send(frame(key, MessageType.Sync, messageYjsUpdate, second));
    const closed = await withTimeout(raw.closed, 5000, "the refused connection to close");
    expect(closed).toEqual({
      code: CLOSE_REASONS.missing_dependencies.code,
      reason: CLOSE_REASONS.missing_dependencies.reason,
    });
    expect(raw.frames.slice(mark).filter(isAck)).toHaveLength(0);

    // The server holds nothing half-applied: neither entry, nothing pending.
    const loaded = server.hotdoc.hocuspocus.documents.get(key);
    if (loaded) expect(loaded.store.pendingStructs).toBeNull();
    const held = new Y.Doc();
    Y.applyUpdate(held, await stateOnServer());
    expect(readTimeline(held).map((e) => e.text)).not.toContain("second");

    // A real client holding both (as the refused sender does) resyncs them in order.
    const provider = connectProvider(server.wsUrl, key, server.token, doc);
    cleanups.push(() => provider.destroy());
    await whenSynced(provider);
    await whenAcknowledged(provider);
    const check = new Y.Doc();
    Y.applyUpdate(check, await stateOnServer());
    expect(readTimeline(check).map((e) => e.text)).toEqual(
      expect.arrayContaining(["first", "second"]),
    );
  });

  it("is refused on /yjs too, while an in-order pair on the same endpoint is stored", async () => {
    const { first, second } = dependentUpdates(await stateOnServer());
    const outOfOrder = new RawSocket(
      `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${server.token}`,
    );
    cleanups.push(() => outOfOrder.close());
    await outOfOrder.opened;
    outOfOrder.send(frame(MessageType.Sync, messageYjsUpdate, second));
    expect(
      (await withTimeout(outOfOrder.closed, 5000, "the refused connection to close")).code,
    ).toBe(CLOSE_REASONS.missing_dependencies.code);

    const inOrder = new RawSocket(
      `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${server.token}`,
    );
    cleanups.push(() => inOrder.close());
    await inOrder.opened;
    inOrder.send(frame(MessageType.Sync, messageYjsUpdate, first));
    inOrder.send(frame(MessageType.Sync, messageYjsUpdate, second));
    // Ask for the server's state; its answer comes after both updates were handled.
    const mark = inOrder.frames.length;
    inOrder.send(frame(MessageType.Sync, messageYjsSyncStep1, Y.encodeStateVector(new Y.Doc())));
    await inOrder.waitFor((f) => {
      const h = header(f, false);
      return h.type === MessageType.Sync && decoding.readVarUint(h.decoder) !== messageYjsSyncStep1;
    }, mark);
    const watcher = new Y.Doc();
    const provider = connectProvider(server.wsUrl, key, server.token, watcher);
    cleanups.push(() => provider.destroy());
    await whenDoc(watcher, (d) => readTimeline(d).some((e) => e.text === "second"));
    expect(readTimeline(watcher).map((e) => e.text)).toEqual(
      expect.arrayContaining(["first", "second"]),
    );
  });

  it("a client reconnecting with offline edits that types during the handshake is not closed, and everything lands", async () => {
    const doc = new Y.Doc();
    const first = connectProvider(server.wsUrl, key, server.token, doc);
    cleanups.push(() => first.destroy());
    await whenSynced(first);
    appendTimelineEntry(doc, { author: "Roaming", text: "online", kind: "note" });
    await whenAcknowledged(first);
    first.disconnect();
    appendTimelineEntry(doc, { author: "Roaming", text: "offline", kind: "note" });
    first.destroy();

    // The provider sends each local edit at once, so an edit made while the handshake
    // is under way reaches the server before the SyncStep2 carrying "offline".
    const again = connectProvider(server.wsUrl, key, server.token, doc);
    cleanups.push(() => again.destroy());
    const closes: number[] = [];
    again.on("close", ({ event }: { event: { code: number } }) => closes.push(event.code));
    let typed = 0;
    again.on("authenticated", () => {
      if (typed++ < 3)
        appendTimelineEntry(doc, {
          author: "Roaming",
          text: `during handshake ${typed}`,
          kind: "note",
        });
    });
    await whenSynced(again);
    await whenAcknowledged(again);
    expect(closes).toEqual([]);
    const check = new Y.Doc();
    Y.applyUpdate(check, await stateOnServer());
    expect(readTimeline(check).map((e) => e.text)).toEqual(
      expect.arrayContaining(["online", "offline", "during handshake 1"]),
    );
  });

  it("an acknowledged update survives the document unloading and reloading from the store", async () => {
    const { first, second } = dependentUpdates(await stateOnServer());
    const raw = await authenticatedRawSocket(server.wsUrl, key, server.token);
    cleanups.push(() => raw.close());
    const mark = raw.frames.length;
    raw.send(frame(key, MessageType.Sync, messageYjsUpdate, first));
    raw.send(frame(key, MessageType.Sync, messageYjsUpdate, second));
    await raw.waitFor(isAck, mark);
    await raw.waitFor((f) => isAck(f) && f !== raw.frames.slice(mark).find(isAck), mark);
    raw.close();
    await raw.closed;
    // Unload, then read what the store rebuilds.
    const deadline = Date.now() + 10_000;
    while (server.hotdoc.hocuspocus.documents.has(key) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.hotdoc.hocuspocus.documents.has(key)).toBe(false);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, await stateOnServer());
    expect(readTimeline(reloaded).map((e) => e.text)).toEqual(
      expect.arrayContaining(["first", "second"]),
    );
  });
});
