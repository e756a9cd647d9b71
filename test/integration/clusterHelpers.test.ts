import type { HocuspocusProvider } from "@hocuspocus/provider";
import { Redis } from "ioredis";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { connectProvider, whenSynced, withTimeout } from "../helpers/clients.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { startPrivatePostgres } from "../helpers/privatePostgres.ts";
import { startPrivateRedis } from "../helpers/privateRedis.ts";
import { callApi, TEST_TOKEN } from "../helpers/testServer.ts";

/** The machine's own services (README): the cluster test stops neither. */
const SHARED_POSTGRES = "postgres://postgres@127.0.0.1:5432/test";
const SHARED_REDIS = "redis://127.0.0.1:6379";

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh connection that gives up at the first failure instead of retrying. */
async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const schemaNamed = (schema: string) =>
  `SELECT 1 FROM information_schema.schemata WHERE schema_name = '${schema}'`;

const since = (started: number) => Math.round(performance.now() - started);

describe("private PostgreSQL", () => {
  it("serves queries, refuses them while stopped or killed, and keeps its data across restarts", async () => {
    const started = performance.now();
    const db = await startPrivatePostgres();
    console.log(`private PostgreSQL started in ${since(started)} ms`);
    try {
      expect(db.url).toBe(`postgres://postgres@127.0.0.1:${db.port}/postgres`);
      await query(db.url, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)");

      await db.stop();
      await expect(query(db.url, "SELECT 1")).rejects.toThrow();
      await db.start();
      expect(await query(db.url, "SELECT x FROM kept")).toEqual([{ x: 42 }]);

      await db.kill();
      await expect(query(db.url, "SELECT 1")).rejects.toThrow();
      await db.start();
      expect(await query(db.url, "SELECT x FROM kept")).toEqual([{ x: 42 }]);
    } finally {
      await db.destroy();
    }
    await expect(query(db.url, "SELECT 1")).rejects.toThrow();
  });
});

describe("private Redis", () => {
  it("serves commands, refuses them while stopped, and serves again after start", async () => {
    const started = performance.now();
    const redis = await startPrivateRedis();
    console.log(`private Redis started in ${since(started)} ms`);
    try {
      await withRedis(redis.url, async (r) => {
        await r.set("hotdoc:probe", "1");
        expect(await r.get("hotdoc:probe")).toBe("1");
      });
      await redis.stop();
      await expect(withRedis(redis.url, (r) => r.get("hotdoc:probe"))).rejects.toThrow();
      await redis.start();
      await withRedis(redis.url, async (r) => {
        // No persistence: it comes back empty.
        expect(await r.get("hotdoc:probe")).toBeNull();
        await r.set("hotdoc:probe", "2");
        expect(await r.get("hotdoc:probe")).toBe("2");
      });
    } finally {
      await redis.destroy();
    }
    await expect(withRedis(redis.url, (r) => r.ping())).rejects.toThrow();
  });
});

describe("a cluster behind HAProxy (deploy/haproxy.cfg)", () => {
  let cluster: Cluster | null = null;
  const providers: HocuspocusProvider[] = [];
  afterEach(async () => {
    for (const provider of providers.splice(0)) provider.destroy();
    await cluster?.destroy();
    cluster = null;
  });

  async function twoProcesses(): Promise<Cluster> {
    const started = performance.now();
    cluster = await startCluster({
      processes: 2,
      databaseUrl: SHARED_POSTGRES,
      redisUrl: SHARED_REDIS,
    });
    console.log(`2-process cluster with HAProxy started in ${since(started)} ms`);
    return cluster;
  }

  /**
   * A collaboration socket through the proxy, and the index of the process it landed
   * on. The incident is created on each process directly: processes on separate stores
   * both number their first incident the same, and on a shared store the first exists
   * for both, so either way every process accepts it wherever HAProxy sends the socket.
   */
  async function socketThroughProxy(
    c: Cluster,
  ): Promise<{ provider: HocuspocusProvider; index: number; closedAt: Promise<number> }> {
    const created = await Promise.all(
      c.processes.map((p) =>
        callApi(p.url, "POST", "/api/incidents", { summary: "Failover", severity: 2 }),
      ),
    );
    const key = created[0]?.body.key as string;
    expect(key).toBeTruthy();
    const provider = connectProvider(c.proxy.wsUrl, key, TEST_TOKEN);
    providers.push(provider);
    await whenSynced(provider);
    const connections = await Promise.all(
      c.processes.map(
        async (p) => (await callApi(p.url, "GET", "/healthz", undefined, null)).body.connections,
      ),
    );
    expect(connections.toSorted()).toEqual([0, 1]);
    const closedAt = new Promise<number>((resolve) =>
      provider.on("close", () => resolve(performance.now())),
    );
    return { provider, index: connections.indexOf(1), closedAt };
  }

  it("carries HTTP and WebSockets, fails over when a process is killed, takes it back on restart, and leaves nothing running", async () => {
    const c = await twoProcesses();
    const { proxy, schema } = c;
    expect(await query(SHARED_POSTGRES, schemaNamed(schema))).toHaveLength(1);
    const pids = [proxy.pid, ...c.processes.map((p) => p.child.pid as number)];
    expect((await callApi(proxy.url, "GET", "/healthz", undefined, null)).status).toBe(200);
    const { provider, index: victim, closedAt } = await socketThroughProxy(c);

    const killedAt = performance.now();
    await c.kill(victim);
    // Requests through the proxy from the moment of the kill, one after another: until
    // HAProxy marks the process DOWN some are sent to it and must be redispatched.
    // A connection to the proxy that closes before any answer is retried once, as every
    // HTTP client retries an idempotent request then (RFC 9110 §9.2.2); a request that
    // gets an error status, or fails twice, is a failure.
    let firstOk: number | null = null;
    const failures: string[] = [];
    const retried: string[] = [];
    let okInARow = 0;
    const healthz = () =>
      callApi(proxy.url, "GET", "/healthz", undefined, null).then((r) => String(r.status));
    const explain = (error: Error) => `${error.message} ${String(error.cause ?? "")}`;
    while (okInARow < 20) {
      const status = await healthz().catch((error: Error) => {
        if (!/other side closed|ECONNRESET/.test(explain(error))) return explain(error);
        retried.push(`${since(killedAt)} ms: ${explain(error)}`);
        return healthz().catch(explain);
      });
      if (status === "200") {
        firstOk ??= since(killedAt);
        okInARow++;
      } else {
        failures.push(`${since(killedAt)} ms: ${status}`);
        okInARow = 0;
      }
      expect(since(killedAt)).toBeLessThan(2000);
    }
    const socketClosed = Math.round(
      (await withTimeout(closedAt, 2000, "the socket through the killed process to close")) -
        killedAt,
    );
    await proxy.waitForServer(victim, "DOWN", 2000);
    const markedDown = since(killedAt);
    // The client reconnects through the proxy to the survivor.
    await whenSynced(provider, 5000);
    console.log(
      `failover after SIGKILL: first proxied 200 after ${firstOk} ms (${failures.length} failed requests, ` +
        `${retried.length} retried after the connection closed unanswered${retried.length ? `: ${retried.join("; ")}` : ""}), ` +
        `socket closed after ${socketClosed} ms, HAProxy held it DOWN by ${markedDown} ms, ` +
        `client resynced through the survivor after ${since(killedAt)} ms`,
    );
    expect(failures).toEqual([]);
    expect(await proxy.serverState(1 - victim)).toBe("UP");

    const started = performance.now();
    const again = await c.restart(victim);
    console.log(`restarted process UP in HAProxy after ${since(started)} ms`);
    pids.push(again.child.pid as number);
    expect(await proxy.serverState(victim)).toBe("UP");
    expect((await callApi(proxy.url, "GET", "/healthz", undefined, null)).status).toBe(200);

    await c.destroy();
    cluster = null;
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await query(SHARED_POSTGRES, schemaNamed(schema))).toHaveLength(0);
  });

  it("cuts the sockets of a hung process once its health checks fail, so its clients move to another", async () => {
    const c = await twoProcesses();
    const { provider, index: hung, closedAt } = await socketThroughProxy(c);

    const frozenAt = performance.now();
    c.freeze(hung);
    // Its TCP connections stay open; only the failed checks (two, of 2 s each, then
    // on-marked-down shutdown-sessions) end the client's socket.
    await c.proxy.waitForServer(hung, "DOWN", 7000);
    const markedDown = since(frozenAt);
    const socketClosed = Math.round(
      (await withTimeout(closedAt, 1000, "the socket through the hung process to close")) -
        frozenAt,
    );
    await whenSynced(provider, 5000);
    console.log(
      `hung process: HAProxy held it DOWN by ${markedDown} ms, socket closed after ` +
        `${socketClosed} ms, client resynced through the other after ${since(frozenAt)} ms`,
    );
    const connections = (
      await callApi(c.processes[1 - hung]!.url, "GET", "/healthz", undefined, null)
    ).body.connections;
    expect(connections).toBe(1);
    c.thaw(hung);
  });
});
