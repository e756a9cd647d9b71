/**
 * The PostgreSQL store's worker (a worker_threads thread started by PgLogWorker). It has
 * its own small pool and does the O(document) work the event loop must not: building a
 * state from a large checkpoint or a long tail, and compacting (checkpoint, prune). It
 * reads the rows itself, so the main thread never receives a document it cannot use.
 *
 * Compactions run one at a time, each holding a session advisory lock on its document
 * for its whole length, so only one process compacts (and prunes) a document at a time:
 * that is what keeps the decoded-document cache safe. An entry holds exactly the updates
 * up to its `seq`, which is always a settled mark (settledMark.ts); rows after the newest
 * checkpoint are never pruned, and while the lock is held no one else writes one.
 */
import { parentPort, workerData } from "node:worker_threads";
import type pg from "pg";
import * as Y from "yjs";
import {
  applyLog,
  type CompactResult,
  checkpointDue,
  DocCache,
  type LogWorkRequest,
  noCompaction,
} from "../logWorker.ts";
import { type Numbered, postError, postResult } from "../workerClient.ts";
import {
  type CheckpointMeta,
  prune,
  readLog,
  readRows,
  tailStats,
  writeCheckpoint,
} from "./logQueries.ts";
import { createPool, LOCK_COMPACT, type PostgresTarget } from "./pgPool.ts";
import { settledMark } from "./settledMark.ts";

type LogRequest = LogWorkRequest | { op: "close" };

export interface BuildResult {
  state: Uint8Array | null;
  /** Where exact history starts, when pruned (the caller refuses an `at` before it). */
  historyStart: number | null;
  ms: number;
}

/** How long a compaction waits for appends in flight before skipping its checkpoint. */
const SETTLE_WAIT_MS = 5000;

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("pgLogThread runs as a worker");
  const pool = createPool(workerData as PostgresTarget, {
    max: 3,
    name: "hotdoc-log-worker",
    // A dropped idle connection is replaced on next use; the request that needs it reports.
    onError: () => undefined,
  });
  const cache = new DocCache();
  const inFlight = new Set<Promise<unknown>>();
  let compactions: Promise<unknown> = Promise.resolve();

  /** The cached document of `name` advanced to `lastSeq` (a settled mark). */
  const current = async (
    client: pg.PoolClient,
    name: string,
    checkpoint: CheckpointMeta | null,
    lastSeq: number,
  ) => {
    const { entry, fresh } = cache.take(name, checkpoint, lastSeq);
    if (fresh && checkpoint) {
      const { rows } = await client.query<{ data: Uint8Array }>(
        "SELECT data FROM checkpoints WHERE doc = $1 AND seq = $2",
        [name, checkpoint.seq],
      );
      if (!rows[0]) throw new Error(`checkpoint ${checkpoint.seq} of ${name} vanished`);
      applyLog(entry.doc, rows[0].data, []);
    }
    if (lastSeq > entry.seq) {
      applyLog(entry.doc, null, await readRows(client, name, entry.seq, lastSeq));
      entry.seq = lastSeq;
    }
    return entry;
  };

  const build = async (name: string, at: number | undefined): Promise<BuildResult> => {
    const started = performance.now();
    const read = await readLog(pool, name, at === undefined ? {} : { at });
    const done = (state: Uint8Array | null) => ({
      state,
      historyStart: read.historyStart,
      ms: performance.now() - started,
    });
    if (!read.checkpoint && read.rows.length === 0) return done(null);
    if (read.checkpoint?.data && read.rows.length === 0) return done(read.checkpoint.data);
    const doc = new Y.Doc();
    try {
      applyLog(doc, read.checkpoint?.data ?? null, read.rows);
      return done(Y.encodeStateAsUpdate(doc));
    } finally {
      doc.destroy();
    }
  };

  const compactUnderLock = async (
    client: pg.PoolClient,
    request: Extract<LogRequest, { op: "compact" }>,
    result: CompactResult,
  ) => {
    const { doc: name, every, keepMs, now } = request;
    const tail = await tailStats(client, name);
    if (checkpointDue(tail, tail.checkpoint, every)) {
      const mark = await settledMark(client, name, SETTLE_WAIT_MS);
      if (mark !== null && mark > (tail.checkpoint?.seq ?? 0)) {
        const state = cache.encode(name, await current(client, name, tail.checkpoint, mark));
        if (await writeCheckpoint(client, name, mark, state)) {
          result.checkpointSeq = mark;
          result.checkpointBytes = state.byteLength;
        }
      }
    }
    if (keepMs > 0) Object.assign(result, await prune(client, name, now - keepMs));
  };

  const compact = async (
    request: Extract<LogRequest, { op: "compact" }>,
  ): Promise<CompactResult> => {
    const started = performance.now();
    const result = noCompaction();
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      const lockArgs = [LOCK_COMPACT, request.doc];
      const key = "$1, hashtext(current_schema() || '/' || $2)";
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${key}) AS locked`,
        lockArgs,
      );
      // Another process is compacting this document: nothing to do here.
      if (rows[0].locked) {
        try {
          await compactUnderLock(client, request, result);
        } finally {
          await client.query(`SELECT pg_advisory_unlock(${key})`, lockArgs);
        }
      }
    } catch (error) {
      // The connection is closed rather than reused: that also drops the lock if the unlock failed.
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(failure);
    }
    result.ms = performance.now() - started;
    return result;
  };

  const reply = (id: number, work: Promise<unknown>) => {
    const tracked = work.then(
      (result) => postResult(port, id, result),
      (error: unknown) => postError(port, id, error),
    );
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };

  port.on("message", (request: Numbered<LogRequest>) => {
    if (request.op === "build") reply(request.id, build(request.doc, request.at));
    else if (request.op === "compact") {
      const next = compactions.then(() => compact(request));
      compactions = next.catch(() => undefined);
      reply(request.id, next);
    } else {
      const id = request.id;
      void Promise.allSettled([...inFlight])
        .then(() => pool.end())
        .then(
          () => postResult(port, id, null),
          (error: unknown) => postError(port, id, error),
        )
        .finally(() => port.close());
    }
  });
}

main();
