import { AuthMessageType } from "@hocuspocus/common";
import { MessageType } from "@hocuspocus/server";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { connectProvider, whenRefused, whenSynced, withTimeout } from "../helpers/clients.ts";
import { frame, header, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const servers: TestServer[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  cleanups.splice(0).forEach((f) => {
    f();
  });
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string>, captureLogs = false): Promise<TestServer> {
  const server = await startTestServer({ env, captureLogs });
  servers.push(server);
  return server;
}

function raw(url: string): RawSocket {
  const socket = new RawSocket(url);
  socket.ws.on("error", () => undefined);
  cleanups.push(() => socket.ws.terminate());
  return socket;
}

describe("sockets that never authenticate", () => {
  it("are closed with authentication-timeout after WS_AUTH_TIMEOUT_MS, while authenticated ones stay", async () => {
    const server = await start({ WS_AUTH_TIMEOUT_MS: "400" });
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Idle sockets", severity: 3 })
    ).body.key;
    const provider = connectProvider(server.wsUrl, key, server.token);
    cleanups.push(() => provider.destroy());
    await whenSynced(provider);

    const idle = Array.from({ length: 40 }, () => raw(server.wsUrl));
    await Promise.all(idle.map((s) => s.opened));
    const started = Date.now();
    const closes = await withTimeout(
      Promise.all(idle.map((s) => s.closed)),
      5000,
      "idle sockets to be closed",
    );
    const elapsed = Date.now() - started;
    for (const close of closes) {
      expect(close.code).toBe(CLOSE_REASONS.unauthenticated_timeout.code);
    }
    expect(elapsed).toBeLessThan(3000);
    // The authenticated provider outlived the deadline and still syncs.
    expect(provider.isSynced).toBe(true);
    expect(server.hotdoc.hocuspocus.getConnectionsCount()).toBe(1);
  });

  it("on /yjs, a socket without a token is refused at once with unauthenticated", async () => {
    const server = await start({ WS_AUTH_TIMEOUT_MS: "5000" });
    const key = (await server.api("POST", "/api/incidents", { summary: "No token", severity: 3 }))
      .body.key;
    const socket = raw(`ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}`);
    await socket.opened;
    expect(await withTimeout(socket.closed, 2000, "the token-less socket to close")).toMatchObject({
      code: CLOSE_REASONS.unauthenticated.code,
      reason: CLOSE_REASONS.unauthenticated.reason,
    });
  });
});

describe("what a malformed frame makes the server print", () => {
  it("is one structured line per socket at most, never a stack trace, and nothing on stdout or stderr", async () => {
    const server = await start({}, true);
    const key = (await server.api("POST", "/api/incidents", { summary: "Noisy", severity: 3 })).body
      .key;
    let printed = 0;
    const stderrWrite = process.stderr.write.bind(process.stderr);
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed += chunk.length;
      return stderrWrite(chunk, ...rest);
    }) as typeof process.stderr.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed += chunk.length;
      return stdoutWrite(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      const sockets = Array.from({ length: 100 }, () => raw(server.wsUrl));
      await Promise.all(sockets.map((s) => s.opened));
      for (const s of sockets) {
        s.send(frame(key, MessageType.Auth, AuthMessageType.Token, server.token));
      }
      await Promise.all(sockets.map((s) => s.waitFor((f) => header(f).type === MessageType.Auth)));
      // A sync message of no known sync type: Hocuspocus throws on it and ends the
      // connection (a close message) — the line it prints is what is measured here.
      const marks = sockets.map((s) => s.frames.length);
      for (const s of sockets) s.send(frame(key, 0, 9, 9, 9));
      await withTimeout(
        Promise.all(
          sockets.map((s, i) => s.waitFor((f) => header(f).type === MessageType.CLOSE, marks[i])),
        ),
        10_000,
        "malformed-frame connections to be closed",
      );
    } finally {
      process.stderr.write = stderrWrite;
      process.stdout.write = stdoutWrite;
    }
    expect(printed).toBe(0);
    const library = server.logs.filter((l) => l.category === "library");
    // Hocuspocus' own lines arrive here, routed, one per closed connection.
    expect(library.length).toBeGreaterThan(0);
    expect(library.length).toBeLessThanOrEqual(100);
    for (const line of library) {
      expect(line.level).toBe("info");
      expect(JSON.stringify(line)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    const bytes = library.reduce((sum, l) => sum + JSON.stringify(l).length, 0);
    expect(bytes).toBeLessThan(100 * 600);
  });
});

describe("rate limits", () => {
  it("refuses an address past its per-minute budget with 429, Retry-After and a typed code, and writes nothing", async () => {
    const server = await start({ RATE_LIMIT_IP_PER_MINUTE: "12" });
    const key = (await server.api("POST", "/api/incidents", { summary: "Budget", severity: 3 }))
      .body.key;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await server.api("GET", `/api/incidents/${key}`)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const response = await fetch(`${server.url}/api/incidents/${key}/timeline`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.token}`,
        "content-type": "application/json",
        "x-forwarded-for": "203.0.113.9",
      },
      body: JSON.stringify({ text: "over budget" }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "rate_limited",
    );
    // Pages and health checks are part of the same budget.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(429);
    const doc = server.hotdoc.hocuspocus.documents.get(key);
    if (doc) expect(readTimeline(doc).map((e) => e.text)).not.toContain("over budget");
  });

  it("gives each token its own budget", async () => {
    const server = await start({ RATE_LIMIT_TOKEN_PER_MINUTE: "5" });
    const key = (await server.api("POST", "/api/incidents", { summary: "Tokens", severity: 3 }))
      .body.key;
    const a = (await server.api("POST", "/api/tokens", { role: "viewer", scope: key, name: "A" }))
      .body.token;
    const b = (await server.api("POST", "/api/tokens", { role: "viewer", scope: key, name: "B" }))
      .body.token;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await server.api("GET", `/api/incidents/${key}`, undefined, a)).status);
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses[5]).toBe(429);
    expect((await server.api("GET", `/api/incidents/${key}`, undefined, b)).status).toBe(200);
  });

  it("counts chat deliveries in their own budget", async () => {
    const server = await start({
      RATE_LIMIT_HOOKS_PER_MINUTE: "4",
      WEBHOOK_SECRET: "a-generic-webhook-secret",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await fetch(`${server.url}/hooks/generic`, {
            method: "POST",
            body: "{}",
            headers: { "content-type": "application/json" },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 4).every((s) => s === 401)).toBe(true);
    expect(statuses[4]).toBe(429);
    // The API budget of the same address is untouched.
    expect((await server.api("GET", "/api/incidents")).status).toBe(200);
  });

  it("answers an address that keeps failing authentication with 429, yet never refuses a good token from it", async () => {
    const server = await start({ RATE_LIMIT_AUTH_FAILURES: "5" });
    const key = (await server.api("POST", "/api/incidents", { summary: "Guessing", severity: 3 }))
      .body.key;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await server.api("GET", "/api/incidents", undefined, `guess-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const guess = await server.api("GET", "/api/incidents", undefined, "guess-again");
    expect(guess.body.error.code).toBe("rate_limited");
    // A colleague behind the same address, with a real token, is served on REST and websockets.
    expect((await server.api("GET", "/api/incidents")).status).toBe(200);
    const good = connectProvider(server.wsUrl, key, server.token);
    cleanups.push(() => good.destroy());
    await whenSynced(good);
    // A bad token on the websocket is refused as rate-limited.
    const bad = connectProvider(server.wsUrl, key, "guess-websocket");
    cleanups.push(() => bad.destroy());
    expect(await whenRefused(bad)).toBe(CLOSE_REASONS.rate_limited.reason);
  });

  it("throttles websocket connection attempts per address with Hocuspocus' throttle and a typed reason", async () => {
    const server = await start({ WS_CONNECTS_PER_MINUTE: "3" });
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Reconnect storm", severity: 3 })
    ).body.key;
    for (let i = 0; i < 3; i++) {
      const p = connectProvider(server.wsUrl, key, server.token);
      await whenSynced(p);
      p.destroy();
    }
    const fourth = connectProvider(server.wsUrl, key, server.token);
    cleanups.push(() => fourth.destroy());
    expect(await whenRefused(fourth)).toBe(CLOSE_REASONS.rate_limited.reason);
  });

  it("closes a connection that sends more messages than its token's budget, with rate-limited", async () => {
    const server = await start({ WS_MESSAGES_PER_MINUTE: "30" });
    const key = (await server.api("POST", "/api/incidents", { summary: "Flood", severity: 3 })).body
      .key;
    const doc = new Y.Doc();
    const provider = connectProvider(server.wsUrl, key, server.token, doc);
    cleanups.push(() => provider.destroy());
    await whenSynced(provider);
    const closed = withTimeout(
      new Promise<number>((resolve) =>
        provider.on("close", ({ event }: { event: { code: number } }) => resolve(event.code)),
      ),
      10_000,
      "the flooding connection to close",
    );
    for (let i = 0; i < 60; i++)
      appendTimelineEntry(doc, { author: "Flood", text: `entry ${i}`, kind: "note" });
    expect(await closed).toBe(CLOSE_REASONS.rate_limited.code);
  });

  it("ignores a client's own X-Forwarded-For unless TRUST_PROXY is set", async () => {
    const server = await start({ RATE_LIMIT_IP_PER_MINUTE: "3" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await fetch(`${server.url}/healthz`, {
            headers: { "x-forwarded-for": `198.51.100.${i}` },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const proxied = await start({ RATE_LIMIT_IP_PER_MINUTE: "3", TRUST_PROXY: "true" });
    const behindProxy: number[] = [];
    for (let i = 0; i < 4; i++) {
      behindProxy.push(
        (
          await fetch(`${proxied.url}/healthz`, {
            headers: { "x-forwarded-for": `198.51.100.${i}` },
          })
        ).status,
      );
    }
    expect(behindProxy).toEqual([200, 200, 200, 200]);
  });
});
