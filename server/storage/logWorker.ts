/**
 * What the two stores' log workers (postgres/pgLogThread.ts, sqlite/checkpointThread.ts)
 * have in common: the requests both answer and the main thread's client for them, when
 * a checkpoint is due, applying a log to a document, and the documents kept decoded
 * between compactions.
 */
import * as Y from "yjs";
import type { CompactionResult } from "./records.ts";
import { WorkerClient } from "./workerClient.ts";

/** The requests both workers answer; each store's worker adds its own. */
export type LogWorkRequest =
  | { op: "build"; doc: string; at?: number }
  | { op: "compact"; doc: string; every: number; keepMs: number; now: number };

export interface CompactResult {
  checkpointSeq: number | null;
  checkpointBytes: number | null;
  prunedUpdates: number;
  prunedCheckpoints: number;
  /** Time spent in the worker, for the log and the report. */
  ms: number;
}

/** A compaction that has done nothing yet. */
export function noCompaction(): CompactResult {
  return {
    checkpointSeq: null,
    checkpointBytes: null,
    prunedUpdates: 0,
    prunedCheckpoints: 0,
    ms: 0,
  };
}

/**
 * The main thread's handle on a log worker: builds and compacts documents there, and
 * sends it the requests of its own (`Extra`). `Built` is what its build answers.
 */
export class LogWorkerClient<Extra extends object, Built> extends WorkerClient<
  LogWorkRequest | Extra
> {
  /** The document's state now, or as it stood at `at`, built in the worker. */
  build(doc: string, at?: number): Promise<Built> {
    return this.request({ op: "build", doc, ...(at === undefined ? {} : { at }) });
  }

  compact(
    doc: string,
    options: { every: number; keepMs: number; now: number },
  ): Promise<CompactResult> {
    return this.request({ op: "compact", doc, ...options });
  }

  /**
   * A store's `compact`: `due` rules it out on the calling thread with a few index
   * lookups (given the time the compaction runs at); the worker decides the rest, as it
   * reads the rows.
   */
  async compactIfDue(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
    due: (now: number) => boolean | Promise<boolean>,
  ): Promise<CompactionResult> {
    const now = options.now ?? Date.now();
    if (!(await due(now))) return { checkpointSeq: null, prunedUpdates: 0, prunedCheckpoints: 0 };
    const { checkpointSeq, checkpointBytes, prunedUpdates, prunedCheckpoints, ms } =
      await this.compact(doc, { every: options.every, keepMs: options.keepMs, now });
    return { checkpointSeq, checkpointBytes, prunedUpdates, prunedCheckpoints, workerMs: ms };
  }
}

/**
 * A new checkpoint is written once `every` updates have accumulated and they amount to
 * a quarter of the last checkpoint's size, or once 32 × `every` have, however small.
 * So the bytes written for checkpoints stay proportional to the bytes users write (a
 * 60 MB document is not rewritten after every 500 updates), and a load never applies
 * more than a bounded tail.
 */
const FORCE_AFTER_EVERY = 32;
const TAIL_SHARE = 4;

/** Whether the updates after the newest checkpoint (`tail`) are due a checkpoint of their own. */
export function checkpointDue(
  tail: { n: number; last: number | null; bytes: number },
  latest: { bytes: number } | null | undefined,
  every: number,
): boolean {
  return (
    tail.last !== null &&
    tail.n >= every &&
    (!latest || tail.n >= every * FORCE_AFTER_EVERY || tail.bytes * TAIL_SHARE >= latest.bytes)
  );
}

/**
 * Applies a checkpoint and the updates after it to `doc`, one update at a time in one
 * transaction. Linear in their size: `Y.mergeUpdates` over thousands of small updates
 * is quadratic (it re-sorts its decoders per struct) and took 1.5 s for 10,000.
 */
export function applyLog(
  doc: Y.Doc,
  base: Uint8Array | null,
  rows: readonly { data: Uint8Array }[],
): void {
  Y.transact(doc, () => {
    if (base) Y.applyUpdate(doc, base);
    for (const row of rows) Y.applyUpdate(doc, row.data);
  });
}

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

/** A worker's decoded documents, the least recently encoded dropped first. */
export class DocCache {
  private readonly entries = new Map<string, Cached>();

  /**
   * The cached document of `name`, when it can be advanced to `lastSeq`: it is neither
   * older than the newest `checkpoint` nor past `lastSeq`. Otherwise that one is dropped
   * and a fresh, empty document stands at the checkpoint's sequence number, which the
   * caller loads the checkpoint into (`fresh`).
   */
  take(
    name: string,
    checkpoint: { seq: number; bytes: number } | null | undefined,
    lastSeq: number,
  ): { entry: Cached; fresh: boolean } {
    const entry = this.entries.get(name);
    if (entry && entry.seq >= (checkpoint?.seq ?? 0) && entry.seq <= lastSeq)
      return { entry, fresh: false };
    entry?.doc.destroy();
    this.entries.delete(name);
    const doc = new Y.Doc();
    return {
      entry: { doc, seq: checkpoint?.seq ?? 0, bytes: checkpoint?.bytes ?? 0 },
      fresh: true,
    };
  }

  /** `entry`'s state, which is also its size here; it is kept as the most recent. */
  encode(name: string, entry: Cached): Uint8Array {
    const state = Y.encodeStateAsUpdate(entry.doc);
    entry.bytes = state.byteLength;
    this.entries.delete(name);
    this.entries.set(name, entry);
    let total = [...this.entries.values()].reduce((sum, e) => sum + e.bytes, 0);
    for (const [key, old] of this.entries) {
      if (this.entries.size <= CACHE_DOCS && total <= CACHE_BYTES) break;
      this.entries.delete(key);
      old.doc.destroy();
      total -= old.bytes;
    }
    return state;
  }
}
