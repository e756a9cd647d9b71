import type pg from "pg";
import * as Y from "yjs";
import { type CompactionResult, HistoryCompactedError } from "../records.ts";
import type { UpdateLogStore } from "../stores.ts";
import { AppendBatcher, type AppendStats } from "./AppendBatcher.ts";
import { compactionDue, historyStart, readLog } from "./logQueries.ts";
import { PgLogWorker } from "./PgLogWorker.ts";
import type { PostgresTarget } from "./pgPool.ts";

/**
 * A load whose tail is at most this many updates, on a checkpoint of at most this many
 * bytes, is merged on the calling thread (as the SQLite store does); anything bigger is
 * built by the worker, which reads the rows itself.
 */
const INLINE_TAIL = 64;
const INLINE_CHECKPOINT_BYTES = 1024 * 1024;

/**
 * The update log on PostgreSQL. Appends are batched per event-loop turn (AppendBatcher);
 * compaction and large loads run in the worker (pgLogThread.ts); the calling thread only
 * runs index lookups and merges short tails. Several processes may share the tables:
 * checkpoints only cover settled ids (settledMark.ts) and one process compacts a
 * document at a time.
 */
export class PgUpdateLog implements UpdateLogStore {
  private readonly pool: pg.Pool;
  private readonly batcher: AppendBatcher;
  private readonly worker: PgLogWorker;

  constructor(pool: pg.Pool, target: PostgresTarget) {
    this.pool = pool;
    this.batcher = new AppendBatcher(pool);
    this.worker = new PgLogWorker(target);
  }

  appendUpdate(
    doc: string,
    update: Uint8Array,
    origin: string,
    at: number = Date.now(),
  ): Promise<number> {
    return this.batcher.append(doc, update, origin, at);
  }

  async loadState(doc: string, options: { at?: number } = {}): Promise<Uint8Array | null> {
    const parts = await this.loadParts(doc, options);
    return parts && (parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates(parts));
  }

  async loadParts(doc: string, options: { at?: number } = {}): Promise<Uint8Array[] | null> {
    const { at } = options;
    const read = await readLog(this.pool, doc, {
      ...(at === undefined ? {} : { at }),
      inlineBytes: INLINE_CHECKPOINT_BYTES,
      tailLimit: INLINE_TAIL + 1,
    });
    refuseCompacted(doc, at, read.historyStart);
    const { checkpoint, rows } = read;
    if (!checkpoint && rows.length === 0) return null;
    if ((!checkpoint || checkpoint.data) && rows.length <= INLINE_TAIL) {
      return [...(checkpoint?.data ? [checkpoint.data] : []), ...rows.map((r) => r.data)].map(
        plain,
      );
    }
    const built = await this.worker.build(doc, at);
    refuseCompacted(doc, at, built.historyStart);
    return built.state && [plain(built.state)];
  }

  compact(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
  ): Promise<CompactionResult> {
    return this.worker.compactIfDue(doc, options, (now) =>
      compactionDue(
        this.pool,
        doc,
        options.every,
        options.keepMs > 0 ? now - options.keepMs : null,
      ),
    );
  }

  historyStart(doc: string): Promise<number | null> {
    return historyStart(this.pool, doc);
  }

  async listDocuments(): Promise<string[]> {
    // A skip scan over the (doc, id) index: one probe per document, not one per update.
    const { rows } = await this.pool.query<{ doc: string }>(
      `WITH RECURSIVE d AS (
         (SELECT doc FROM updates ORDER BY doc LIMIT 1)
         UNION ALL
         SELECT (SELECT u.doc FROM updates u WHERE u.doc > d.doc ORDER BY u.doc LIMIT 1)
         FROM d WHERE d.doc IS NOT NULL
       )
       SELECT doc FROM d WHERE doc IS NOT NULL
       UNION
       SELECT doc FROM checkpoints`,
    );
    return rows.map((row) => row.doc).sort();
  }

  /** How many appends went in how many statements (diagnostics and tests). */
  appendStats(): AppendStats {
    return { ...this.batcher.stats };
  }

  /** Waits for the appends already requested, then stops the worker. */
  async close(): Promise<void> {
    await this.batcher.close();
    await this.worker.close();
  }
}

function refuseCompacted(doc: string, at: number | undefined, start: number | null): void {
  if (at !== undefined && start !== null && at < start) throw new HistoryCompactedError(doc, start);
}

/** A Uint8Array view of pg's Buffer (same bytes), so callers get the type they asked for. */
function plain(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
}
