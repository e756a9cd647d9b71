import type { DatabaseSync, StatementSync } from "node:sqlite";
import * as Y from "yjs";
import { type CompactionResult, HistoryCompactedError } from "../records.ts";
import type { UpdateLogStore } from "../stores.ts";
import type { AppendWorker } from "./AppendWorker.ts";
import type { CheckpointWorker } from "./CheckpointWorker.ts";
import { UpdateLog } from "./UpdateLog.ts";

/**
 * A load whose tail is at most this many updates, on a checkpoint of at most this
 * many bytes, is merged on the calling thread; anything bigger is built by the
 * checkpoint worker. `Y.mergeUpdates` is quadratic in the number of updates and
 * linear in the checkpoint's size, and a round trip to the worker costs ~1 ms.
 */
const INLINE_TAIL = 64;
const INLINE_CHECKPOINT_BYTES = 1024 * 1024;
/** The worker copies the WAL into the database file after this many appends (it also does after every compaction). */
const WAL_CHECKPOINT_EVERY = 1000;

interface PendingAppend {
  doc: string;
  at: number;
  origin: string;
  data: Uint8Array;
  resolve(id: number): void;
  reject(error: unknown): void;
}

/** Counters for diagnostics and tests: how many transactions carried how many appends. */
interface AppendStats {
  transactions: number;
  appends: number;
  largestBatch: number;
}

/**
 * The update log in SQLite. Appends group-commit: those requested in one event-loop turn
 * go to the append worker (its own connection) as one batch, written in one transaction
 * (WAL, synchronous=FULL: one fsync for all of them), and each `appendUpdate` resolves
 * only after that COMMIT. While a batch is being committed, new appends queue and form
 * the next batch when it is done: under load, batches grow instead of commits queueing,
 * and the wait for the disk never blocks the event loop. One batch is in flight at a
 * time, so ids increase in request order. Readers only ever see committed rows.
 * Everything proportional to a document's size happens in the checkpoint worker (its own
 * connection to the same database): writing checkpoints, pruning, building a state from a
 * long tail, and copying the WAL into the database file. This thread only reads rows and
 * merges short tails.
 */
export class SqliteUpdateLog implements UpdateLogStore {
  private readonly log: UpdateLog;
  private readonly worker: CheckpointWorker;
  private readonly writer: AppendWorker;
  private readonly documents: StatementSync;
  private appendsSinceWalCheckpoint = 0;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** The batch being committed, settled (either way) when its answer is handled. */
  private inFlight: Promise<void> | null = null;
  private readonly counters: AppendStats = { transactions: 0, appends: 0, largestBatch: 0 };

  constructor(db: DatabaseSync, worker: CheckpointWorker, writer: AppendWorker) {
    this.log = new UpdateLog(db);
    this.worker = worker;
    this.writer = writer;
    this.documents = db.prepare(
      "SELECT doc FROM updates UNION SELECT doc FROM checkpoints ORDER BY doc",
    );
  }

  appendUpdate(
    doc: string,
    update: Uint8Array,
    origin: string,
    at: number = Date.now(),
  ): Promise<number> {
    // Checked here, so that one bad append fails alone rather than its whole batch.
    if (!Number.isFinite(at)) return Promise.reject(new Error(`append time ${at} is not a time`));
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, at, origin, data: update, resolve, reject });
      // A batch in flight sends the queue when it is done.
      if (this.flushScheduled || this.inFlight) return;
      this.flushScheduled = true;
      // setImmediate, not a microtask: every append of this turn (all the socket reads of
      // one poll phase) joins the batch.
      setImmediate(() => this.flush());
    });
  }

  /**
   * Sends every queued append as one batch, unless one is in flight (its end sends the
   * queue). A failed batch is rolled back and every caller in it rejects; the next batch
   * starts afresh.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight) return;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.counters.transactions++;
    this.counters.appends += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    const items = batch.map(({ doc, at, origin, data }) => ({ doc, at, origin, data }));
    this.inFlight = this.writer.append(items).then(
      (ids) => {
        this.inFlight = null;
        for (const [i, p] of batch.entries()) p.resolve(ids[i]);
        this.appendsSinceWalCheckpoint += batch.length;
        if (this.appendsSinceWalCheckpoint >= WAL_CHECKPOINT_EVERY) {
          this.appendsSinceWalCheckpoint = 0;
          void this.worker.walCheckpoint().catch(() => undefined);
        }
        this.flush();
      },
      (error: unknown) => {
        this.inFlight = null;
        for (const p of batch) p.reject(error);
        this.flush();
      },
    );
  }

  /** Commits (and settles) every append requested so far; the store closes after it. */
  async drain(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      this.flush();
      await this.inFlight;
    }
  }

  /** Group-commit counters since the store opened (diagnostics and tests). */
  appendStats(): AppendStats {
    return { ...this.counters };
  }

  async loadState(doc: string, options: { at?: number } = {}): Promise<Uint8Array | null> {
    const parts = await this.loadParts(doc, options);
    return parts && (parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates(parts));
  }

  async loadParts(doc: string, options: { at?: number } = {}): Promise<Uint8Array[] | null> {
    const { at } = options;
    // One snapshot: a checkpoint another process writes (and the pruning after it) is seen whole or not at all.
    const inline = this.log.snapshot((): { parts: Uint8Array[] | null } | null => {
      if (at !== undefined) {
        const start = this.log.historyStart(doc);
        if (start.pruned && start.at !== null && at < start.at)
          throw new HistoryCompactedError(doc, start.at);
      }
      const checkpoint = this.log.checkpoint(doc, at);
      const tail = this.log.count(doc, checkpoint?.seq ?? 0, at);
      if (!checkpoint && tail.n === 0) return { parts: null };
      if (checkpoint && tail.n === 0) return { parts: [this.log.read(doc, checkpoint)] };
      if (tail.n > INLINE_TAIL || (checkpoint?.bytes ?? 0) > INLINE_CHECKPOINT_BYTES) return null;
      const rows = this.log.rows(
        doc,
        checkpoint?.seq ?? 0,
        at === undefined ? { lastSeq: tail.last ?? 0 } : { at },
      );
      return {
        parts: [
          ...(checkpoint ? [this.log.read(doc, checkpoint)] : []),
          ...rows.map((row) => row.data),
        ],
      };
    });
    if (inline) return inline.parts;
    const { state } = await this.worker.build(doc, at);
    return state && [state];
  }

  compact(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
  ): Promise<CompactionResult> {
    return this.worker.compactIfDue(
      doc,
      options,
      (now) =>
        this.looseUpdates(doc) >= options.every ||
        (options.keepMs > 0 && this.log.pruneDue(doc, now - options.keepMs)),
    );
  }

  async historyStart(doc: string): Promise<number | null> {
    return this.log.historyStart(doc).at;
  }

  async listDocuments(): Promise<string[]> {
    return (this.documents.all() as { doc: string }[]).map((row) => row.doc);
  }

  /** How many single updates a load must apply on top of the newest checkpoint (diagnostics and tests). */
  looseUpdates(doc: string): number {
    return this.log.count(doc, this.log.checkpoint(doc)?.seq ?? 0).n;
  }
}
