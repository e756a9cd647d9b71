import { AuthMessageType } from "@hocuspocus/common";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { MessageType } from "@hocuspocus/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_SILENCE_MS } from "#shared/heartbeat.ts";
import { whenSynced, withTimeout } from "../helpers/clients.ts";
import { authenticatedRawSocket, frame, header, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const PING = 9;
const PONG = new Uint8Array([MessageType.Pong]);

/** How long each check listens: long enough for several beats and past the page's silence limit. */
const LISTEN_MS = 2 * HEARTBEAT_SILENCE_MS;
/** Websocket messages a token may send a minute in these tests. */
const BUDGET = 4;

describe("the link heartbeat", () => {
  let server: TestServer;
  let key: string;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    // A message budget below what the heartbeat alone would spend if it were counted: a
    // viewer's initial sync spends 2 (its SyncStep1 and its answer to the server's), which
    // fits; the 5 or more Pongs of the listening time on top of them do not.
    server = await startTestServer({ env: { WS_MESSAGES_PER_MINUTE: String(BUDGET) } });
    key = (await server.api("POST", "/api/incidents", { summary: "Heartbeat", severity: 3 })).body
      .key;
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "an entry" });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await server.close();
  });

  it("beats for a viewer's provider, which stays connected through silence and leaves the document untouched", async () => {
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "viewer",
      name: "Stakeholder",
    });
    expect(link.status).toBe(201);
    const socket = new HocuspocusProviderWebsocket({
      url: server.wsUrl,
      // The page's limit: a provider that heard nothing for this long would give up.
      messageReconnectTimeout: HEARTBEAT_SILENCE_MS,
    });
    const viewer = new HocuspocusProvider({
      websocketProvider: socket,
      name: key,
      token: link.body.token,
      document: new Y.Doc(),
      // No awareness: nothing but the heartbeat keeps this socket busy.
      awareness: null,
    });
    viewer.attach();
    cleanups.push(() => {
      viewer.destroy();
      socket.destroy();
    });
    await whenSynced(viewer);
    expect(viewer.authorizedScope).toBe("readonly");

    const document = server.hotdoc.hocuspocus.documents.get(key);
    if (!document) throw new Error("the document is not loaded");
    const before = {
      state: Y.encodeStateAsUpdate(document),
      stored: await server.hotdoc.stores.log.loadState(key),
    };
    let documentUpdates = 0;
    document.on("update", () => {
      documentUpdates += 1;
    });
    const pings: number[] = [];
    socket.on("message", (event: MessageEvent) => {
      const data = new Uint8Array(event.data as ArrayBuffer);
      if (data.length === 1 && data[0] === PING) pings.push(Date.now());
    });
    let disconnects = 0;
    socket.on("disconnect", () => {
      disconnects += 1;
    });

    await new Promise((resolve) => setTimeout(resolve, LISTEN_MS));

    // About one Ping per interval, each answered (the provider replies by itself), and
    // never a gap the page would take for a dead link.
    expect(pings.length).toBeGreaterThanOrEqual(Math.floor(LISTEN_MS / HEARTBEAT_INTERVAL_MS) - 1);
    const gaps = pings.slice(1).map((at, i) => at - pings[i]);
    expect(Math.max(...gaps)).toBeLessThan(HEARTBEAT_SILENCE_MS);
    expect(disconnects).toBe(0);
    expect(viewer.isSynced).toBe(true);
    // The Pongs were not counted as messages: with the initial sync's 2 in a budget of 4 a
    // minute, counting them would have closed the socket as rate-limited by the third.
    expect(pings.length).toBeGreaterThan(BUDGET);
    expect(server.hotdoc.hocuspocus.getConnectionsCount()).toBe(1);
    // Nothing reached the document or its log.
    expect(documentUpdates).toBe(0);
    expect(Y.encodeStateAsUpdate(document)).toEqual(before.state);
    expect(await server.hotdoc.stores.log.loadState(key)).toEqual(before.stored);
  }, 20_000);

  it("takes only Pongs that answer a Ping: an unrequested one goes to Hocuspocus like any frame", async () => {
    // A hand-made client that says it speaks v4 (a version after its token), so it is pinged.
    const raw = new RawSocket(server.wsUrl);
    cleanups.push(() => raw.close());
    await raw.opened;
    raw.send(frame(key, MessageType.Auth, AuthMessageType.Token, server.token, "4.7.0"));
    await raw.waitFor((f) => f.length > 1 && header(f).type === MessageType.Auth);
    const isPing = (f: Uint8Array) => f.length === 1 && f[0] === PING;
    let closed = false;
    void raw.closed.then(() => {
      closed = true;
    });
    // Three Pings, each answered once: the socket stays, the Pongs go no further.
    for (let beat = 0; beat < 3; beat++) {
      const seen = raw.frames.filter(isPing).length;
      await raw.waitFor(
        () => raw.frames.filter(isPing).length > seen,
        0,
        3 * HEARTBEAT_INTERVAL_MS,
      );
      raw.send(PONG);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);
    // Right after answering a Ping (the next is a second away), Pongs nobody asked for:
    // Hocuspocus reads each as a frame about a document, which it is not, and closes the
    // socket as it closes any client sending such frames.
    raw.send(PONG);
    raw.send(PONG);
    expect(await withTimeout(raw.closed, 3000, "the socket to close")).toMatchObject({
      code: 4401,
    });
  }, 10_000);

  it("is not sent to a client that did not say it speaks the v4 protocol", async () => {
    // A hand-made client (or an older provider) sends no version with its token: a Ping
    // would read to it as a malformed message.
    const raw = await authenticatedRawSocket(server.wsUrl, key, server.token);
    cleanups.push(() => raw.close());
    const from = raw.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_INTERVAL_MS));
    expect(raw.frames.slice(from).filter((f) => f.length === 1 && f[0] === PING)).toHaveLength(0);
  }, 10_000);
});
