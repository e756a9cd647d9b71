/**
 * The checkpoint worker (a worker_threads thread started by CheckpointWorker). It opens
 * its own connection to the store's WAL database and does the O(document) work the
 * event loop must not: building a document's state from a checkpoint and a long tail of
 * updates, writing checkpoints, pruning, and checkpointing SQLite's WAL. It reads the log
 * itself rather than receiving the bytes, so the main thread never copies a document.
 *
 * Messages are handled one at a time, synchronously, so compactions never overlap. Its cache
 * stays safe when other processes' workers write checkpoints and prune the same database:
 * every update up to a cached document's sequence number is in it, a cache older than
 * the newest checkpoint is dropped, and rows after the newest checkpoint are never
 * pruned, which the snapshot each request reads in makes true for the whole request.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import * as Y from "yjs";
import {
  applyLog,
  type CompactResult,
  DocCache,
  type LogWorkRequest,
  noCompaction,
} from "../logWorker.ts";
import { type Numbered, postError, postResult } from "../workerClient.ts";
import { UpdateLog } from "./UpdateLog.ts";

type CheckpointRequest = LogWorkRequest | { op: "wal" };

export interface BuildResult {
  state: Uint8Array | null;
  ms: number;
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("checkpointThread runs as a worker");
  const db = new DatabaseSync((workerData as { file: string }).file);
  db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
  const log = new UpdateLog(db);
  const cache = new DocCache();

  /** The cached document of `name` advanced to `lastSeq`, or a fresh one built from the newest checkpoint. */
  const current = (name: string, lastSeq: number) => {
    const checkpoint = log.checkpoint(name);
    const { entry, fresh } = cache.take(name, checkpoint, lastSeq);
    if (fresh) applyLog(entry.doc, checkpoint ? log.read(name, checkpoint) : null, []);
    if (lastSeq > entry.seq) {
      applyLog(entry.doc, null, log.rows(name, entry.seq, { lastSeq }));
      entry.seq = lastSeq;
    }
    return entry;
  };

  // Reads run in one snapshot: another process's checkpoint or pruning lands before or after.
  const build = (name: string, at: number | undefined): BuildResult =>
    log.snapshot(() => buildIn(name, at));
  const buildIn = (name: string, at: number | undefined): BuildResult => {
    const started = performance.now();
    if (at === undefined) {
      const checkpoint = log.checkpoint(name);
      const tail = log.count(name, checkpoint?.seq ?? 0);
      if (!checkpoint && tail.last === null)
        return { state: null, ms: performance.now() - started };
      const state = cache.encode(name, current(name, tail.last ?? checkpoint?.seq ?? 0));
      return { state, ms: performance.now() - started };
    }
    // An instant in the past: rebuilt on a throw-away document, never cached.
    const checkpoint = log.checkpoint(name, at);
    const rows = log.rows(name, checkpoint?.seq ?? 0, { at });
    if (!checkpoint && rows.length === 0) return { state: null, ms: performance.now() - started };
    const doc = new Y.Doc();
    try {
      applyLog(doc, checkpoint ? log.read(name, checkpoint) : null, rows);
      return { state: Y.encodeStateAsUpdate(doc), ms: performance.now() - started };
    } finally {
      doc.destroy();
    }
  };

  const compact = (request: Extract<CheckpointRequest, { op: "compact" }>): CompactResult => {
    const started = performance.now();
    const { doc: name, every, keepMs, now } = request;
    const result = noCompaction();
    // The state is built from one snapshot of the log; it is written after, in short transactions.
    const due = log.snapshot(() => {
      const tail = log.checkpointDue(name, every);
      if (!tail) return null;
      const state = cache.encode(name, current(name, tail.last));
      return { seq: tail.last, at: log.acceptedAt(tail.last), state };
    });
    if (due && log.writeCheckpoint(name, due.seq, due.at, due.state)) {
      result.checkpointSeq = due.seq;
      result.checkpointBytes = due.state.byteLength;
    }
    if (keepMs > 0) Object.assign(result, log.prune(name, now - keepMs));
    walCheckpoint(db);
    result.ms = performance.now() - started;
    return result;
  };

  port.on("message", (request: Numbered<CheckpointRequest>) => {
    try {
      let result: unknown;
      if (request.op === "build") result = build(request.doc, request.at);
      else if (request.op === "compact") result = compact(request);
      else {
        walCheckpoint(db);
        result = null;
      }
      postResult(port, request.id, result);
    } catch (error) {
      postError(port, request.id, error);
    }
  });
}

/**
 * Copies WAL frames into the database file without waiting for readers or writers. The
 * store's own connection has automatic WAL checkpoints off, so this copy (megabytes after
 * a large checkpoint) never runs inside an append on the event loop.
 */
function walCheckpoint(db: DatabaseSync): void {
  db.exec("PRAGMA wal_checkpoint(PASSIVE)");
}

main();
