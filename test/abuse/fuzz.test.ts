import { AuthMessageType } from "@hocuspocus/common";
import { MessageType } from "@hocuspocus/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { appendTimelineEntry, readTimeline, setSeverity } from "#shared/doc/index.ts";
import { SECRETS } from "../helpers/chatPayloads.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { frame, header, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Each run has a seed (printed), so a failure can be replayed with FUZZ_SEED. */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const FRAMES = 3000;
const REQUESTS = 2500;
const TIME_LIMIT_MS = 25_000;

/** mulberry32: a small seeded PRNG, so runs are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(rand: () => number, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  const int = (n: number) => Math.floor(rand() * n);
  const ops = 1 + int(3);
  for (let i = 0; i < ops; i++) {
    switch (int(7)) {
      case 0: // flip a bit
        if (bytes.length) bytes[int(bytes.length)] ^= 1 << int(8);
        break;
      case 1: // truncate
        bytes.length = int(bytes.length + 1);
        break;
      case 2: // insert random bytes
        bytes.splice(
          int(bytes.length + 1),
          0,
          ...Array.from({ length: 1 + int(8) }, () => int(256)),
        );
        break;
      case 3: // an over-long varUint
        bytes.splice(int(bytes.length + 1), 0, ...Array.from({ length: 5 + int(10) }, () => 0xff));
        break;
      case 4: // duplicate a chunk
        if (bytes.length) {
          const from = int(bytes.length);
          bytes.splice(int(bytes.length), 0, ...bytes.slice(from, from + 1 + int(32)));
        }
        break;
      case 5: // overwrite a byte with an edge value
        if (bytes.length) bytes[int(bytes.length)] = [0, 1, 0x7f, 0x80, 0xff][int(5)];
        break;
      default: // delete a range
        if (bytes.length) bytes.splice(int(bytes.length), 1 + int(8));
    }
  }
  return Uint8Array.from(bytes);
}

describe(`fuzzing (seed ${SEED})`, () => {
  let server: TestServer;
  let key: string;
  let viewerToken: string;
  let responderToken: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { ...SECRETS } });
    key = (await server.api("POST", "/api/incidents", { summary: "Fuzz target", severity: 2 })).body
      .key;
    viewerToken = (
      await server.api("POST", `/api/incidents/${key}/links`, {
        role: "viewer",
        name: "Fuzz viewer",
      })
    ).body.token;
    responderToken = (
      await server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Fuzz responder",
      })
    ).body.token;
  });
  afterAll(async () => {
    await server.close();
  });

  async function serverState(): Promise<{ vector: Uint8Array; state: Uint8Array }> {
    const response = await fetch(`${server.url}/api/incidents/${key}/state`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const state = new Uint8Array(await response.arrayBuffer());
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    return { vector: Y.encodeStateVector(doc), state };
  }

  /** Valid frames of every kind, to mutate. */
  function corpus(token: string, base: Uint8Array, named: boolean): Uint8Array[] {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, base);
    const before = Y.encodeStateVector(doc);
    appendTimelineEntry(doc, { author: "Fuzz", text: "fuzzed entry", kind: "note" });
    setSeverity(doc, 1, { name: "Fuzz", source: "editor" });
    const update = Y.encodeStateAsUpdate(doc, before);
    const awareness = new Awareness(doc);
    awareness.setLocalState({ user: { name: "Fuzz", role: "admin" } });
    const awarenessUpdate = encodeAwarenessUpdate(awareness, [doc.clientID]);
    awareness.destroy();
    const f = (...parts: (number | string | Uint8Array)[]) =>
      named ? frame(key, ...parts) : frame(...parts);
    return [
      f(MessageType.Sync, messageYjsSyncStep1, Y.encodeStateVector(new Y.Doc())),
      f(MessageType.Sync, messageYjsSyncStep2, update),
      f(MessageType.Sync, messageYjsUpdate, update),
      f(MessageType.SyncReply, messageYjsUpdate, update),
      f(MessageType.Awareness, awarenessUpdate),
      f(MessageType.QueryAwareness),
      f(MessageType.Stateless, '{"op":"setSeverity"}'),
      f(MessageType.Auth, AuthMessageType.Token, token),
      f(MessageType.CLOSE),
    ];
  }

  /** Sends `count` mutated frames over as many sockets as it takes; returns how many were sent. */
  async function fuzzSockets(
    token: string,
    count: number,
    deadline: number,
    rand: () => number,
  ): Promise<number> {
    const base = (await serverState()).state;
    const collabCorpus = corpus(token, base, true);
    const yjsCorpus = corpus(token, base, false);
    let sent = 0;
    while (sent < count && Date.now() < deadline) {
      const onYjs = rand() < 0.4;
      const socket = new RawSocket(
        onYjs ? `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${token}` : server.wsUrl,
      );
      socket.ws.on("error", () => undefined);
      try {
        await socket.opened;
        if (!onYjs) {
          socket.send(frame(key, MessageType.Auth, AuthMessageType.Token, token));
          await socket.waitFor((f) => header(f).type === MessageType.Auth, 0, 5000);
        }
        const source = onYjs ? yjsCorpus : collabCorpus;
        for (let i = 0; i < 60 && sent < count && socket.ws.readyState === socket.ws.OPEN; i++) {
          socket.send(mutate(rand, source[Math.floor(rand() * source.length)]));
          sent++;
        }
        // Let the server work through the batch before the socket goes.
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        socket.ws.terminate();
      }
    }
    return sent;
  }

  it("thousands of mutated frames from a viewer change nothing and crash nothing", async () => {
    const rand = prng(SEED);
    const before = await serverState();
    const sent = await fuzzSockets(viewerToken, FRAMES, Date.now() + TIME_LIMIT_MS, rand);
    expect(sent).toBeGreaterThanOrEqual(FRAMES * 0.5);
    const after = await serverState();
    expect(after.vector).toEqual(before.vector);
    expect(after.state).toEqual(before.state);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    console.info(`fuzz: ${sent} mutated viewer frames; document byte-identical`);
  }, 60_000);

  it("mutated frames from a responder never crash the server nor corrupt what is stored", async () => {
    const rand = prng(SEED + 1);
    const writer = connectProvider(server.wsUrl, key, responderToken);
    await whenSynced(writer);
    const sentWrites: string[] = [];
    const fuzzing = fuzzSockets(responderToken, FRAMES, Date.now() + TIME_LIMIT_MS, rand);
    for (let i = 0; i < 50; i++) {
      appendTimelineEntry(writer.document, { author: "Steady", text: `steady ${i}`, kind: "note" });
      sentWrites.push(`steady ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sent = await fuzzing;
    await whenAcknowledged(writer);
    writer.destroy();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // The stored document equals the served one and holds every acknowledged write.
    const served = new Y.Doc();
    Y.applyUpdate(served, (await serverState()).state);
    const texts = new Set(readTimeline(served).map((e) => e.text));
    for (const text of sentWrites) expect(texts.has(text), text).toBe(true);
    const stored = new Y.Doc();
    const storedState = await server.hotdoc.stores.log.loadState(key);
    expect(storedState).not.toBeNull();
    Y.applyUpdate(stored, storedState as Uint8Array);
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(served));
    console.info(
      `fuzz: ${sent} mutated responder frames; ${sentWrites.length} concurrent acknowledged writes all present`,
    );
  }, 60_000);

  it("thousands of hostile HTTP requests get answers below 500 and the server keeps serving", async () => {
    const rand = prng(SEED + 2);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)];
    const paths = [
      "/api/incidents",
      `/api/incidents/${key}`,
      `/api/incidents/${key}/timeline`,
      `/api/incidents/${key}/links`,
      `/api/incidents/${key}/channels`,
      `/api/incidents/${key}/export?format=markdown`,
      `/api/incidents/${key}/export?format=html&at=2020-01-01T00:00:00Z`,
      `/api/incidents/${key}/state?at=not-a-date`,
      `/api/incidents/${key}/history`,
      "/api/tokens",
      "/api/tokens/x",
      "/api/me",
      "/hooks/slack",
      "/hooks/mattermost",
      "/hooks/teams",
      "/hooks/generic",
      "/_matrix/app/v1/transactions/1",
      "/healthz",
      "/metrics",
      `/${key}`,
      "/api/incidents/%E0%A4%A",
      "/api/incidents/..%2F..%2Fetc%2Fpasswd",
      "/api/incidents/HOT-99999999999999999999",
    ];
    const bodies: unknown[] = [
      { summary: "x", severity: 1 },
      { text: "hello", at: "2024-01-01T00:00:00Z" },
      { role: "admin", scope: "*", name: "x" },
      { platform: "slack", channel: "C1", webhookUrl: "http://169.254.169.254/latest" },
      { severity: 1, status: "resolved" },
      { type: "event_callback", event: { type: "message", ts: "1e17", text: "x", channel: "C1" } },
      { events: [{ type: "m.room.message", origin_server_ts: 1e308, content: { body: "x" } }] },
    ];
    const hostileValues: unknown[] = [
      null,
      -1,
      1e308,
      "",
      "x".repeat(70_000),
      "\u0000\r\n\u2028",
      [],
      {},
      { __proto__: { admin: true } },
      "javascript:alert(1)",
      Number.NaN,
      true,
    ];
    function hostileBody(): string {
      const choice = int(5);
      if (choice === 0)
        return pick(["{", "[]", "null", '{"a":', "\u0000", "{}".repeat(5000), "[".repeat(3000)]);
      const body = structuredClone(pick(bodies)) as Record<string, unknown>;
      const keys = Object.keys(body);
      if (choice === 1 && keys.length) delete body[pick(keys)];
      if (choice === 2 && keys.length) body[pick(keys)] = pick(hostileValues);
      if (choice === 3)
        body[pick(["__proto__", "constructor", "extra", "id", "at"])] = pick(hostileValues);
      return JSON.stringify(body);
    }
    const tokens = [server.token, viewerToken, responderToken, "garbage", ""];
    const methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD"];
    const contentTypes = [
      "application/json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "multipart/form-data; boundary=x",
      "",
    ];
    const statuses = new Map<number, number>();
    const deadline = Date.now() + TIME_LIMIT_MS;
    let sent = 0;
    const worker = async () => {
      while (sent < REQUESTS && Date.now() < deadline) {
        sent++;
        const method = pick(methods);
        const headers: Record<string, string> = {};
        const token = pick(tokens);
        if (token) headers.authorization = rand() < 0.9 ? `Bearer ${token}` : `Basic ${token}`;
        const contentType = pick(contentTypes);
        if (contentType) headers["content-type"] = contentType;
        if (rand() < 0.1) headers["x-slack-signature"] = "v0=deadbeef";
        if (rand() < 0.1) headers["x-slack-request-timestamp"] = pick(["0", "-1", "1e20", "abc"]);
        const hasBody = method !== "GET" && method !== "HEAD";
        const response = await fetch(`${server.url}${pick(paths)}`, {
          method,
          headers,
          body: hasBody ? hostileBody() : undefined,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const serverErrors = [...statuses.entries()].filter(([status]) => status >= 500);
    expect(serverErrors).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS * 0.5);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status, await health.clone().text()).toBe(200);
    console.info(
      `fuzz: ${sent} hostile requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  }, 60_000);
});
