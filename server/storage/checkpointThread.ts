/**
 * The checkpoint worker (a worker_threads thread started by CheckpointWorker). It opens
 * its own connection to the store's WAL database and does the O(document) work the
 * event loop must not: building a document's state from a checkpoint and a long tail of
 * updates, writing checkpoints, pruning, and checkpointing SQLite's WAL. It reads the log
 * itself rather than receiving the bytes, so the main thread never copies a document.
 *
 * Messages are handled one at a time, synchronously, so compactions never overlap. This
 * thread is the only writer of checkpoints and the only pruner, which is what makes its
 * cache safe: every update up to a cached document's sequence number is in it, and rows
 * after that number are never deleted while they are newer than the newest checkpoint.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import * as Y from "yjs";
import { applyLog, UpdateLog } from "./UpdateLog.ts";

export type CheckpointRequest =
  | { id: number; op: "build"; doc: string; at?: number }
  | { id: number; op: "compact"; doc: string; every: number; keepMs: number; now: number }
  | { id: number; op: "wal" };

export interface BuildResult {
  state: Uint8Array | null;
  ms: number;
}

export interface CompactResult {
  checkpointSeq: number | null;
  checkpointBytes: number | null;
  prunedUpdates: number;
  prunedCheckpoints: number;
  /** Time spent in the worker, for the log and the report. */
  ms: number;
}

export type CheckpointReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/**
 * Documents kept decoded between compactions, so the next one only applies its tail
 * (bounded by their encoded size; decoded, a document takes several times that).
 */
const CACHE_DOCS = 4;
const CACHE_BYTES = 64 * 1024 * 1024;

interface Cached {
  doc: Y.Doc;
  /** Every update up to this sequence number is applied. */
  seq: number;
  bytes: number;
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("checkpointThread runs as a worker");
  const db = new DatabaseSync((workerData as { file: string }).file);
  db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
  const log = new UpdateLog(db);
  const cache = new Map<string, Cached>();

  const remember = (name: string, entry: Cached) => {
    cache.delete(name);
    cache.set(name, entry);
    let total = [...cache.values()].reduce((sum, e) => sum + e.bytes, 0);
    for (const [key, old] of cache) {
      if (cache.size <= CACHE_DOCS && total <= CACHE_BYTES) break;
      cache.delete(key);
      old.doc.destroy();
      total -= old.bytes;
    }
  };

  /** The cached document of `name` advanced to `lastSeq`, or a fresh one built from the newest checkpoint. */
  const current = (name: string, lastSeq: number): Cached => {
    const checkpoint = log.checkpoint(name);
    let entry = cache.get(name);
    if (!entry || entry.seq < (checkpoint?.seq ?? 0) || entry.seq > lastSeq) {
      entry?.doc.destroy();
      cache.delete(name);
      entry = { doc: new Y.Doc(), seq: checkpoint?.seq ?? 0, bytes: checkpoint?.bytes ?? 0 };
      applyLog(entry.doc, checkpoint ? log.read(name, checkpoint) : null, []);
    }
    if (lastSeq > entry.seq) {
      applyLog(entry.doc, null, log.rows(name, entry.seq, { lastSeq }));
      entry.seq = lastSeq;
    }
    return entry;
  };

  const build = (name: string, at: number | undefined): BuildResult => {
    const started = performance.now();
    if (at === undefined) {
      const checkpoint = log.checkpoint(name);
      const tail = log.count(name, checkpoint?.seq ?? 0);
      if (!checkpoint && tail.last === null)
        return { state: null, ms: performance.now() - started };
      const entry = current(name, tail.last ?? checkpoint?.seq ?? 0);
      const state = Y.encodeStateAsUpdate(entry.doc);
      entry.bytes = state.byteLength;
      remember(name, entry);
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
    const result: CompactResult = {
      checkpointSeq: null,
      checkpointBytes: null,
      prunedUpdates: 0,
      prunedCheckpoints: 0,
      ms: 0,
    };
    const tail = log.checkpointDue(name, every);
    if (tail) {
      const entry = current(name, tail.last);
      const state = Y.encodeStateAsUpdate(entry.doc);
      entry.bytes = state.byteLength;
      remember(name, entry);
      if (log.writeCheckpoint(name, tail.last, log.acceptedAt(tail.last), state)) {
        result.checkpointSeq = tail.last;
        result.checkpointBytes = state.byteLength;
      }
    }
    if (keepMs > 0) Object.assign(result, log.prune(name, now - keepMs));
    walCheckpoint(db);
    result.ms = performance.now() - started;
    return result;
  };

  port.on("message", (request: CheckpointRequest) => {
    try {
      let result: unknown;
      const transfer: ArrayBuffer[] = [];
      if (request.op === "build") {
        const built = build(request.doc, request.at);
        if (built.state) {
          // Moved, not copied, to the main thread: only when the bytes own their whole buffer.
          const s = built.state;
          const owned =
            s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? s : new Uint8Array(s);
          built.state = owned;
          transfer.push(owned.buffer as ArrayBuffer);
        }
        result = built;
      } else if (request.op === "compact") {
        result = compact(request);
      } else {
        walCheckpoint(db);
        result = null;
      }
      port.postMessage({ id: request.id, ok: true, result } satisfies CheckpointReply, transfer);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({
        id: request.id,
        ok: false,
        error: { name: e.name, message: e.message },
      } satisfies CheckpointReply);
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
