import * as decoding from "lib0/decoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { withTimeout } from "../helpers/clients.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const SYNC = 0;
const AUTH = 2;
const PERMISSION_DENIED = 0;

/** A `ws` client class that sends `token` as `Authorization: Bearer`, for y-websocket's WebSocketPolyfill. */
function bearerSocket(token: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
    }
  };
}

/** Every frame a socket receives, and how it closed. */
function watch(socket: WebSocket) {
  const frames: Uint8Array[] = [];
  socket.on("message", (data: Buffer) => frames.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { frames, closed };
}

describe("/yjs takes its token from the Authorization header", () => {
  let server: TestServer;
  let key: string;
  let otherKey: string;
  let responderToken: string;
  const yjsUrl = () => `ws://127.0.0.1:${server.hotdoc.port}/yjs`;

  beforeAll(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Header token", severity: 2 }))
      .body.key;
    otherKey = (await server.api("POST", "/api/incidents", { summary: "Elsewhere", severity: 3 }))
      .body.key;
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "written over REST" });
    responderToken = (
      await server.api("POST", `/api/incidents/${key}/links`, { role: "responder", name: "Rita" })
    ).body.token;
  });
  afterAll(async () => {
    await server.close();
  });

  it("a y-websocket client with only a header token syncs the document, and its edits are stored", async () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(yjsUrl(), key, doc, {
      WebSocketPolyfill: bearerSocket(responderToken) as unknown as typeof globalThis.WebSocket,
    });
    try {
      await withTimeout(
        new Promise<void>((resolve) =>
          provider.once("sync", (synced: boolean) => synced && resolve()),
        ),
        10_000,
        "y-websocket sync",
      );
      expect(readTimeline(doc).map((e) => e.text)).toContain("written over REST");

      appendTimelineEntry(doc, { author: "Rita", text: "written over /yjs with a header token" });
      // y-websocket has no acknowledgements: the server's copy is the proof.
      await withTimeout(
        (async () => {
          for (;;) {
            const stored = await server.api("GET", `/api/incidents/${key}`);
            if (stored.body.timeline.some((e: { text: string }) => e.text.includes("header token")))
              return;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })(),
        10_000,
        "the edit to reach the server",
      );
    } finally {
      provider.destroy();
    }
  });

  it("a bad header token is refused with y-protocols' permission denied and the typed close, and syncs nothing", async () => {
    const scopedElsewhere = (
      await server.api("POST", `/api/incidents/${otherKey}/links`, { role: "responder" })
    ).body.token;
    for (const [token, expected] of [
      ["not-a-token", CLOSE_REASONS.token_invalid],
      [`${responderToken.slice(0, -4)}AAAA`, CLOSE_REASONS.token_invalid],
      [scopedElsewhere, CLOSE_REASONS.forbidden],
    ] as const) {
      const socket = new WebSocket(`${yjsUrl()}/${key}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { frames, closed } = watch(socket);
      expect(await withTimeout(closed, 10_000, `refusal of ${token}`)).toEqual({
        code: expected.code,
        reason: expected.reason,
      });
      const types = frames.map((f) => decoding.readVarUint(decoding.createDecoder(f)));
      expect(types, token).not.toContain(SYNC);
      const denial = frames.find((f) => f[0] === AUTH);
      expect(denial, token).toBeDefined();
      const decoder = decoding.createDecoder(denial as Uint8Array);
      decoding.readVarUint(decoder);
      expect(decoding.readVarUint(decoder)).toBe(PERMISSION_DENIED);
      expect(decoding.readVarString(decoder)).toBe(expected.reason);
    }
  });
});
