import net from "node:net";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readTimeline } from "#shared/doc/index.ts";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgresSchema.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/privatePostgres.ts";
import { timelineUpdates } from "../helpers/timelineUpdates.ts";

const schemas = new TestSchemas();
const open: Stores[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function stores(
  schema: string,
  options: { url?: string; onError?: (error: Error) => void } = {},
): Promise<Stores> {
  const opened = await openPostgresStores({
    url: options.url ?? TEST_DATABASE_URL,
    schema,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  open.push(opened);
  return opened;
}

function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  return queryOn<R>(TEST_DATABASE_URL, sql, values);
}

async function queryOn<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function elapsed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  return { ms: performance.now() - started, error };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => schemas.dropAll());

describe("opening the PostgreSQL stores", () => {
  it("creates and migrates a schema once when several processes start at the same time", async () => {
    const schema = schemas.fresh();
    const all = await Promise.all(Array.from({ length: 5 }, () => stores(schema)));
    for (const s of all) expect(await s.schemaVersion()).toBe(1);
    const versions = await query<{ version: number }>(
      `SELECT version FROM ${pg.escapeIdentifier(schema)}.schema_version`,
    );
    expect(versions).toEqual([{ version: 1 }]);
    const tables = await query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [schema],
    );
    expect(tables.map((t) => t.name)).toEqual([
      "access_tokens",
      "channel_links",
      "chat_deliveries",
      "chat_rooms",
      "chat_transactions",
      "checkpoints",
      "counters",
      "history",
      "incidents",
      "people",
      "schema_version",
      "sessions",
      "settings",
      "updates",
    ]);
  });

  it("refuses a schema that a newer hotdoc has migrated further", async () => {
    const schema = schemas.fresh();
    await (await stores(schema)).close();
    await query(`UPDATE ${pg.escapeIdentifier(schema)}.schema_version SET version = 99`);
    await expect(stores(schema)).rejects.toThrow(/version 99, newer than this hotdoc knows \(1\)/);
  });

  it("refuses a schema name that is not a plain identifier, before connecting", async () => {
    await expect(stores('x"; DROP SCHEMA public; --')).rejects.toThrow(/not a lower-case SQL/);
  });

  it("keeps pg's global int8 parser as it is (numbers are parsed per pool)", async () => {
    const s = await stores(schemas.fresh());
    expect(await s.incidents.createIncident("HOT", 1_700_000_000_000)).toBe("HOT-1");
    expect((await s.incidents.listIncidents())[0].createdAt).toBe(1_700_000_000_000);
    expect((await query<{ n: unknown }>("SELECT 1::int8 AS n"))[0].n).toBe("1");
  });
});

describe("the PostgreSQL stores when the database fails", () => {
  it("fails fast when nothing listens, and when the server never answers", async () => {
    const refused = await elapsed(
      stores(schemas.fresh(), { url: "postgres://postgres@127.0.0.1:1/test" }),
    );
    expect(refused.error).toBeInstanceOf(Error);
    expect(refused.ms).toBeLessThan(3000);
    // A server that accepts the connection and then says nothing: the connect timeout ends it.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      // Read (and ignore) what the client sends, so its hang-up is seen.
      socket.resume();
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(() => resolve(undefined)));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const hung = await elapsed(
      stores(schemas.fresh(), { url: `postgres://postgres@127.0.0.1:${port}/test` }),
    );
    expect(String(hung.error)).toMatch(/timeout/i);
    expect(hung.ms).toBeGreaterThan(2500);
    expect(hung.ms).toBeLessThan(5000);
    // The store gave the connection up rather than leaving it open.
    await expect.poll(() => sockets.size, { timeout: 2000 }).toBe(0);
  });

  describe("with a database of its own", () => {
    let server: PrivatePostgres;
    beforeAll(async () => {
      server = await startPrivatePostgres();
    });
    afterAll(async () => {
      await server?.destroy();
    });

    it("survives its idle connections being killed by the server, and replaces them", async () => {
      const errors: Error[] = [];
      const s = await stores("idle", { url: server.url, onError: (e) => errors.push(e) });
      await s.ping();
      // The pool's connections, now idle: the server ends them under the pool's feet.
      const killed = await queryOn<{ pid: number }>(
        server.url,
        "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE application_name = 'hotdoc'",
      );
      expect(killed.length).toBeGreaterThan(0);
      await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
      await expect(s.ping()).resolves.toBeUndefined();
      expect(await s.incidents.createIncident("HOT")).toBe("HOT-1");
    });

    it("rejects calls at once while the database is down, and works again once it is back", async () => {
      const s = await stores("hotdoc", { url: server.url, onError: () => undefined });
      const list = timelineUpdates(100);
      // A long tail, so loads go through the worker and its own pool.
      await Promise.all(list.slice(0, 90).map((u) => s.log.appendUpdate("HOT-1", u, "t")));
      await server.stop();
      const append = await elapsed(s.log.appendUpdate("HOT-1", list[90], "t"));
      expect(append.error).toBeInstanceOf(Error);
      expect(append.ms).toBeLessThan(4000);
      const load = await elapsed(s.log.loadState("HOT-1"));
      expect(load.error).toBeInstanceOf(Error);
      expect(load.ms).toBeLessThan(4000);
      await expect(s.ping()).rejects.toThrow();

      await server.start();
      await expect(s.ping()).resolves.toBeUndefined();
      await Promise.all(list.slice(90).map((u) => s.log.appendUpdate("HOT-1", u, "t")));
      const doc = new Y.Doc();
      Y.applyUpdate(doc, (await s.log.loadState("HOT-1")) ?? new Uint8Array());
      // Every acknowledged update is there (the rejected one was sent again after the restart).
      expect(readTimeline(doc)).toHaveLength(100);
      const compacted = await s.log.compact("HOT-1", { every: 10, keepMs: 0 });
      expect(compacted.checkpointSeq).not.toBeNull();
    }, 60_000);
  });
});
