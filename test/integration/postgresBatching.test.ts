import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readTimeline } from "#shared/doc/index.ts";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import type { PgUpdateLog } from "../../server/storage/postgres/PgUpdateLog.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { longestEventLoopGap } from "../helpers/eventLoopGap.ts";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgresSchema.ts";
import { increasing, restoreDoc, timelineUpdates } from "../helpers/timelineUpdates.ts";

const schemas = new TestSchemas();
const open: Stores[] = [];
const clients: pg.Client[] = [];

async function stores(schema: string): Promise<Stores> {
  const opened = await openPostgresStores({ url: TEST_DATABASE_URL, schema });
  open.push(opened);
  return opened;
}

/** A plain connection working in `schema`, standing for another writer or a reader. */
async function sideConnection(schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path=${schema}`,
  });
  await client.connect();
  clients.push(client);
  return client;
}

function statsOf(s: Stores) {
  return (s.log as PgUpdateLog).appendStats();
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => schemas.dropAll());

describe("PostgreSQL update log: appends", () => {
  it("sends 200 appends requested in one turn as one statement, each with its own increasing id", async () => {
    const schema = schemas.fresh();
    const s = await stores(schema);
    const docs = ["HOT-1", "HOT-2", "HOT-3"];
    // Three writers, their updates interleaved: each document's own must keep their order.
    const perDoc = docs.map((d) => timelineUpdates(67, new Y.Doc(), d));
    const list = Array.from({ length: 200 }, (_, i) => perDoc[i % 3][Math.floor(i / 3)]);
    const before = statsOf(s);
    const ids = await Promise.all(
      list.map((u, i) => s.log.appendUpdate(docs[i % 3], u, "test", 1000 + i)),
    );
    const after = statsOf(s);
    expect(after.statements - before.statements).toBe(1);
    expect(after.largestBatch).toBe(200);
    // Every caller got its own id, in the order the appends were requested.
    expect(new Set(ids).size).toBe(200);
    expect(increasing(ids)).toBe(true);
    // The database agrees: one transaction wrote all 200 rows, each under the id its caller got.
    const side = await sideConnection(schema);
    const { rows } = await side.query<{ id: string; doc: string; at: string; xmin: string }>(
      "SELECT id, doc, at, xmin::text AS xmin FROM updates ORDER BY id",
    );
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    expect(rows.map((r) => Number(r.id))).toEqual(ids);
    expect(rows.map((r) => [r.doc, Number(r.at)])).toEqual(
      list.map((_, i) => [docs[i % 3], 1000 + i]),
    );
    for (const [d, doc] of docs.entries())
      expect(readTimeline(restoreDoc(await s.log.loadState(doc)))).toHaveLength(d < 2 ? 67 : 66);
  });

  it("queues the appends requested while a batch is in flight into the next batch, after it", async () => {
    const s = await stores(schemas.fresh());
    const list = timelineUpdates(150);
    const before = statsOf(s);
    const first = list.slice(0, 100).map((u) => s.log.appendUpdate("HOT-1", u, "test"));
    // The store's flush was scheduled first, so by now the first batch is on the wire.
    await new Promise((resolve) => setImmediate(resolve));
    const second = list.slice(100).map((u) => s.log.appendUpdate("HOT-1", u, "test"));
    const ids = await Promise.all([...first, ...second]);
    expect(statsOf(s).statements - before.statements).toBe(2);
    expect(increasing(ids)).toBe(true);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(150);
  });

  it("rejects every append of a batch that fails, and stores none of them", async () => {
    const schema = schemas.fresh();
    const s = await stores(schema);
    const side = await sideConnection(schema);
    // The database refuses one row of the batch (as it would a full disk): the statement fails whole.
    await side.query("ALTER TABLE updates ADD CONSTRAINT refuse_bad CHECK (origin <> 'bad')");
    const list = timelineUpdates(10);
    const results = await Promise.allSettled(
      list.map((u, i) => s.log.appendUpdate("HOT-1", u, i === 7 ? "bad" : "test")),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("rejected"));
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/refuse_bad/);
    expect(await s.log.loadState("HOT-1")).toBeNull();
    // The store goes on: the next turn's appends are a batch of their own.
    const ids = await Promise.all(list.map((u) => s.log.appendUpdate("HOT-1", u, "test")));
    expect(increasing(ids)).toBe(true);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(10);
  });

  it("refuses an append the database could not store on its own, not its whole batch", async () => {
    const s = await stores(schemas.fresh());
    const list = timelineUpdates(4);
    const results = await Promise.allSettled([
      s.log.appendUpdate("HOT-1", list[0], "test"),
      s.log.appendUpdate("HOT\u0000", list[1], "test"),
      s.log.appendUpdate("HOT-1", list[1], "test", Number.NaN),
      s.log.appendUpdate("HOT-1", list[1], "test", 1_700_000_000_000.5),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(2);
  });

  it("loads a 10,000-update document in the worker without blocking the event loop", async () => {
    const s = await stores(schemas.fresh());
    const writer = new Y.Doc();
    const list = timelineUpdates(10_000, writer);
    let started = performance.now();
    await Promise.all(list.map((u) => s.log.appendUpdate("HOT-1", u, "test")));
    const appendMs = performance.now() - started;
    started = performance.now();
    const { result: state, gapMs: longestGap } = await longestEventLoopGap(() =>
      s.log.loadState("HOT-1"),
    );
    const loadMs = performance.now() - started;
    expect(Y.encodeStateVector(restoreDoc(state))).toEqual(Y.encodeStateVector(writer));
    expect(longestGap).toBeLessThan(150);
    const compacted = await s.log.compact("HOT-1", { every: 100, keepMs: 0 });
    expect(compacted.checkpointSeq).not.toBeNull();
    started = performance.now();
    const fromCheckpoint = await s.log.loadState("HOT-1");
    const checkpointLoadMs = performance.now() - started;
    expect(readTimeline(restoreDoc(fromCheckpoint))).toHaveLength(10_000);
    console.log(
      `10,000 appends in ${statsOf(s).statements} statements: ${appendMs.toFixed(0)} ms; ` +
        `load from the log: ${loadMs.toFixed(0)} ms (longest event-loop gap ${longestGap.toFixed(0)} ms); ` +
        `compaction ${compacted.workerMs?.toFixed(0)} ms in the worker; load from the checkpoint: ${checkpointLoadMs.toFixed(0)} ms`,
    );
  }, 60_000);
});

describe("PostgreSQL update log: checkpoints across processes", () => {
  it("never checkpoints past an append that commits late, while two processes append and compact", async () => {
    const schema = schemas.fresh();
    const a = await stores(schema);
    const b = await stores(schema);
    const side = await sideConnection(schema);
    const t0 = 1_700_000_000_000;
    const rounds = 200;
    const writerA = new Y.Doc();
    const writerB = new Y.Doc();
    const writerSlow = new Y.Doc();
    const fromA = timelineUpdates(rounds, writerA, "a");
    const fromB = timelineUpdates(rounds, writerB, "b");
    const [slow] = timelineUpdates(1, writerSlow, "slow");
    for (let i = 0; i < 20; i++)
      await Promise.all([
        a.log.appendUpdate("HOT-1", fromA[i], "a", t0 + i),
        b.log.appendUpdate("HOT-1", fromB[i], "b", t0 + i),
      ]);

    // A third writer takes its id now and commits 1.5 s later (a process stalled
    // between its INSERT and its COMMIT): every id after it is committed first.
    await side.query("BEGIN");
    const inserted = await side.query<{ id: string }>(
      "INSERT INTO updates (doc, at, origin, data) VALUES ('HOT-1', $1, 'slow', $2) RETURNING id",
      [t0 + 20, slow],
    );
    const slowId = Number(inserted.rows[0].id);
    let committedAt = Number.POSITIVE_INFINITY;
    const late = side
      .query("SELECT pg_sleep(1.5)")
      .then(() => side.query("COMMIT"))
      .then(() => {
        committedAt = performance.now();
      });

    // Both processes go on appending, and compact (pruning all that a checkpoint covers) as they go.
    const compactions: Promise<{ seq: number | null; pruned: number; doneAt: number }>[] = [];
    let slowestAppend = 0;
    for (let i = 20; i < rounds; i++) {
      const started = performance.now();
      const ids = await Promise.all([
        a.log.appendUpdate("HOT-1", fromA[i], "a", t0 + i),
        b.log.appendUpdate("HOT-1", fromB[i], "b", t0 + i),
      ]);
      slowestAppend = Math.max(slowestAppend, performance.now() - started);
      for (const id of ids) expect(id).toBeGreaterThan(slowId);
      if (i % 10 === 0)
        for (const s of [a, b])
          compactions.push(
            s.log.compact("HOT-1", { every: 1, keepMs: 1, now: t0 + 1_000_000 }).then((r) => ({
              seq: r.checkpointSeq,
              pruned: r.prunedUpdates,
              doneAt: performance.now(),
            })),
          );
    }
    const appendsDoneAt = performance.now();
    await late;
    const results = await Promise.all(compactions);
    // The test means something only if compactions ran while the slow append was open.
    expect(appendsDoneAt).toBeLessThan(committedAt);
    // Waiting for the slow writer held up no append (its lock blocks no INSERT).
    expect(slowestAppend).toBeLessThan(1000);
    // Checkpoints past the slow id were written only once it had committed, and pruning ran.
    const pastSlow = results.filter((r) => r.seq !== null && r.seq > slowId);
    expect(pastSlow.length).toBeGreaterThan(0);
    for (const r of pastSlow) expect(r.doneAt).toBeGreaterThanOrEqual(committedAt);
    expect(results.reduce((sum, r) => sum + r.pruned, 0)).toBeGreaterThan(0);

    await Promise.all(
      [a, b].map((s) => s.log.compact("HOT-1", { every: 1, keepMs: 1, now: t0 + 2_000_000 })),
    );
    const expected = new Y.Doc();
    for (const w of [writerA, writerB, writerSlow])
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(w));
    const fresh = await stores(schema);
    for (const s of [a, b, fresh]) {
      const doc = restoreDoc(await s.log.loadState("HOT-1"));
      expect(readTimeline(doc)).toHaveLength(2 * rounds + 1);
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(expected));
    }
    // Nothing but the newest checkpoint and what came after it is left.
    const left = await side.query<{ n: string }>("SELECT count(*) AS n FROM updates");
    expect(Number(left.rows[0].n)).toBe(0);
  }, 60_000);
});
