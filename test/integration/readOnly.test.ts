import type { HocuspocusProvider } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import {
  appendTimelineEntry,
  readIncident,
  setRichTextPlain,
  setSeverity,
} from "#shared/doc/index.ts";
import { colorForSubject } from "#shared/presence.ts";
import { connectProvider, whenSynced, withTimeout } from "../helpers/clients.ts";
import { frame, header, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const SYNC_REPLY = 4;
const STATELESS = 5;
const BROADCAST_STATELESS = 6;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

/** An update that adds a timeline entry and changes severity, made on a copy of the document. */
function hostileUpdate(base: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const before = Y.encodeStateVector(doc);
  appendTimelineEntry(doc, { author: "Mallory", text: "I was never here", kind: "decision" });
  setSeverity(doc, 1, { name: "Mallory", source: "editor" });
  return Y.encodeStateAsUpdate(doc, before);
}

describe("read-only is absolute", () => {
  let server: TestServer;
  let key: string;
  let viewerToken: string;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestServer({ env: { MAX_MESSAGE_BYTES: "65536" } });
    key = (await server.api("POST", "/api/incidents", { summary: "Viewer target", severity: 3 }))
      .body.key;
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "real entry" });
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "viewer",
      name: "Stakeholder",
    });
    expect(link.status).toBe(201);
    viewerToken = link.body.token;
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => {
      f();
    });
    await server.close();
  });

  const serverState = () => {
    const doc = server.hotdoc.hocuspocus.documents.get(key)!;
    return {
      vector: Y.encodeStateVector(doc),
      update: Y.encodeStateAsUpdate(doc),
      json: readIncident(doc),
    };
  };

  it("a viewer that writes every way it can leaves the server document byte-for-byte unchanged", async () => {
    // A responder stays connected the whole time: the document stays loaded and we can see what others receive.
    const watcher = connectProvider(server.wsUrl, key, server.token);
    cleanups.push(() => watcher.destroy());
    await whenSynced(watcher);
    let watcherSawChange = false;
    watcher.document.on("update", () => {
      watcherSawChange = true;
    });
    const before = serverState();
    const storedBefore = await server.hotdoc.stores.log.loadState(key);

    // 1. The official Hocuspocus provider, editing its local copy.
    const hp = connectProvider(server.wsUrl, key, viewerToken);
    cleanups.push(() => hp.destroy());
    await whenSynced(hp);
    expect(hp.authorizedScope).toBe("readonly");
    const refused = countSyncStatus(hp, false);
    appendTimelineEntry(hp.document, { author: "Viewer", text: "viewer wrote this" });
    setRichTextPlain(hp.document, "notes", "viewer notes");
    await refused.atLeast(2);

    // 2. y-websocket's WebsocketProvider on /yjs/:key.
    const yDoc = new Y.Doc();
    const yws = new WebsocketProvider(`ws://127.0.0.1:${server.hotdoc.port}/yjs`, key, yDoc, {
      params: { token: viewerToken },
    });
    cleanups.push(() => yws.destroy());
    await withTimeout(
      new Promise<void>((r) => yws.once("sync", (s: boolean) => s && r())),
      10_000,
      "y-websocket sync",
    );
    setSeverity(yDoc, 1, { name: "Viewer", source: "editor" });
    await barrier(yws.ws as unknown as WebSocketLikeWithEvents, yDoc);

    // 3. Hand-crafted Hocuspocus frames on /collab.
    const hostile = hostileUpdate(before.update);
    const raw = new RawSocket(server.wsUrl);
    cleanups.push(() => raw.close());
    await raw.opened;
    raw.send(frame(key, AUTH, 0, viewerToken));
    await raw.waitFor((f) => header(f).type === AUTH);
    raw.send(frame(key, SYNC, UPDATE, hostile));
    raw.send(frame(key, SYNC, STEP2, hostile));
    raw.send(frame(key, SYNC_REPLY, UPDATE, hostile));
    raw.send(frame(key, SYNC_REPLY, STEP2, hostile));
    raw.send(frame(key, STATELESS, '{"op":"setSeverity","value":1}'));
    raw.send(frame(key, 99, 1, 2, 3));
    const mark = raw.frames.length;
    raw.send(frame(key, SYNC, STEP1, Y.encodeStateVector(new Y.Doc())));
    await raw.waitFor((f) => {
      const h = header(f);
      return h.type === SYNC && decoding.readVarUint(h.decoder) === STEP2;
    }, mark);
    // A server-internal opcode from a client closes that connection.
    raw.send(frame(key, BROADCAST_STATELESS, "broadcast"));

    // 4. The same on /yjs/:key, plus an oversized frame.
    const rawY = new RawSocket(
      `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${viewerToken}`,
    );
    cleanups.push(() => rawY.close());
    await rawY.opened;
    rawY.send(frame(SYNC, UPDATE, hostile));
    rawY.send(frame(SYNC, STEP2, hostile));
    const yMark = rawY.frames.length;
    rawY.send(frame(SYNC, STEP1, Y.encodeStateVector(new Y.Doc())));
    await rawY.waitFor((f) => {
      const h = header(f, false);
      return h.type === SYNC && decoding.readVarUint(h.decoder) === STEP2;
    }, yMark);
    rawY.send(new Uint8Array(100_000));
    expect((await rawY.closed).code).toBe(1009);

    // 5. REST.
    expect(
      (await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 }, viewerToken)).status,
    ).toBe(403);
    expect(
      (await server.api("POST", `/api/incidents/${key}/timeline`, { text: "x" }, viewerToken))
        .status,
    ).toBe(403);
    expect(
      (await server.api("POST", "/api/incidents", { summary: "x", severity: 1 }, viewerToken))
        .status,
    ).toBe(403);
    expect(
      (await server.api("POST", `/api/incidents/${key}/links`, { role: "responder" }, viewerToken))
        .status,
    ).toBe(403);

    const after = serverState();
    expect(after.vector).toEqual(before.vector);
    expect(after.update).toEqual(before.update);
    expect(after.json).toEqual(before.json);
    expect(await server.hotdoc.stores.log.loadState(key)).toEqual(storedBefore);
    expect(watcherSawChange).toBe(false);
    expect(readIncident(watcher.document).timeline.map((e) => e.text)).not.toContain(
      "viewer wrote this",
    );
  });

  it("a viewer may not list the incident's chat rooms (their webhook URLs are secrets); a responder may", async () => {
    const webhookUrl = "http://127.0.0.1:9/hooks/T0SECRET/B0SECRET/xoxo-room-secret";
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel: "C0ROOM",
          webhookUrl,
        })
      ).status,
    ).toBe(201);

    const refused = await server.api(
      "GET",
      `/api/incidents/${key}/channels`,
      undefined,
      viewerToken,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "forbidden", message: expect.any(String) });
    expect(JSON.stringify(refused.body)).not.toContain("T0SECRET");

    const responder = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "responder",
      name: "Rita",
    });
    const allowed = await server.api(
      "GET",
      `/api/incidents/${key}/channels`,
      undefined,
      responder.body.token,
    );
    expect(allowed.status).toBe(200);
    expect(allowed.body.channels).toEqual([
      expect.objectContaining({ platform: "slack", channel: "C0ROOM", incident: key, webhookUrl }),
    ]);
  });

  it("a viewer cannot appear as someone else in presence", async () => {
    const alice = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "responder",
      name: "Alice",
    });
    const aliceProvider = connectProvider(server.wsUrl, key, alice.body.token);
    const watcher = connectProvider(server.wsUrl, key, server.token);
    const viewer = connectProvider(server.wsUrl, key, viewerToken);
    cleanups.push(() => {
      for (const p of [aliceProvider, watcher, viewer]) p.destroy();
    });
    await Promise.all([whenSynced(aliceProvider), whenSynced(watcher), whenSynced(viewer)]);

    aliceProvider.setAwarenessField("user", { name: "Alice", color: "#ff0000" });
    viewer.setAwarenessField("user", { name: "Alice (IM)", role: "admin", color: "#00ff00" });
    const users = () =>
      [...watcher.awareness!.getStates().values()].map((s) => s.user).filter(Boolean);
    await waitForAwareness(watcher, () => users().length >= 2);
    // Colours are the subject's, whatever a client claims.
    const aliceSubject = `link:${alice.body.id}`;
    expect(users()).toContainEqual({
      name: "Alice",
      role: "responder",
      subject: aliceSubject,
      color: colorForSubject(aliceSubject),
    });
    expect(users()).toContainEqual(
      expect.objectContaining({ name: "Stakeholder", role: "viewer" }),
    );
    expect(users().some((u) => u.color === "#ff0000" || u.color === "#00ff00")).toBe(false);
    expect(users().some((u) => u.name === "Alice (IM)")).toBe(false);

    // Now a crafted awareness update that reuses Alice's client id.
    const aliceId = aliceProvider.document.clientID;
    const forged = new awarenessProtocol.Awareness(new Y.Doc());
    forged.clientID = aliceId;
    forged.setLocalState({ user: { name: "Alice (IM)", color: "#000000" } });
    const meta = forged.meta.get(aliceId)!;
    meta.clock = 1_000_000;
    const update = awarenessProtocol.encodeAwarenessUpdate(forged, [aliceId]);
    const raw = new RawSocket(server.wsUrl);
    cleanups.push(() => raw.close());
    await raw.opened;
    raw.send(frame(key, AUTH, 0, viewerToken));
    await raw.waitFor((f) => header(f).type === AUTH);
    raw.send(frame(key, AWARENESS, update));
    const mark = raw.frames.length;
    raw.send(frame(key, SYNC, STEP1, Y.encodeStateVector(new Y.Doc())));
    await raw.waitFor((f) => header(f).type === SYNC, mark);
    expect(watcher.awareness!.getStates().get(aliceId)?.user).toEqual({
      name: "Alice",
      role: "responder",
      subject: aliceSubject,
      color: colorForSubject(aliceSubject),
    });
    const serverStates = server.hotdoc.hocuspocus.documents.get(key)!.awareness.getStates();
    expect(serverStates.get(aliceId)?.user?.name).toBe("Alice");
  });
});

interface WebSocketLikeWithEvents {
  send(data: Uint8Array): void;
  addEventListener(
    type: "message",
    listener: (event: { data: ArrayBuffer | Uint8Array }) => void,
  ): void;
  removeEventListener(
    type: "message",
    listener: (event: { data: ArrayBuffer | Uint8Array }) => void,
  ): void;
}

/** Sends a sync step 1 on a y-websocket socket and waits for the server's step 2: everything before it was processed. */
async function barrier(ws: WebSocketLikeWithEvents, doc: Y.Doc): Promise<void> {
  await withTimeout(
    new Promise<void>((resolve) => {
      const onMessage = (event: { data: ArrayBuffer | Uint8Array }) => {
        const data = new Uint8Array(event.data as ArrayBuffer);
        const h = header(data, false);
        if (h.type === SYNC && decoding.readVarUint(h.decoder) === STEP2) {
          ws.removeEventListener("message", onMessage);
          resolve();
        }
      };
      ws.addEventListener("message", onMessage);
      ws.send(frame(SYNC, STEP1, Y.encodeStateVector(doc)));
    }),
    10_000,
    "y-websocket barrier",
  );
}

/** Counts SyncStatus frames with the given outcome that the provider receives from now on. */
function countSyncStatus(provider: HocuspocusProvider, applied: boolean) {
  let count = 0;
  const waiters: (() => void)[] = [];
  provider.on("message", ({ message }: { message: { decoder: decoding.Decoder } }) => {
    const decoder = decoding.createDecoder(new Uint8Array(message.decoder.arr));
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== 8) return;
    if ((decoding.readVarInt(decoder) === 1) === applied) count++;
    for (const w of waiters) w();
  });
  return {
    atLeast: (n: number) =>
      withTimeout(
        new Promise<void>((resolve) => {
          const check = () => count >= n && resolve();
          waiters.push(check);
          check();
        }),
        10_000,
        `${n} sync status replies`,
      ),
  };
}

function waitForAwareness(provider: HocuspocusProvider, predicate: () => boolean): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = () => predicate() && resolve();
      provider.awareness!.on("change", check);
      check();
    }),
    10_000,
    "awareness",
  );
}
