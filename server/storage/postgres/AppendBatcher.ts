import type { Queryable } from "./pgPool.ts";

interface Pending {
  doc: string;
  data: Uint8Array;
  origin: string;
  at: number;
  resolve(id: number): void;
  reject(error: Error): void;
}

/** Counters for diagnostics and tests: how many INSERT statements carried how many appends. */
export interface AppendStats {
  statements: number;
  appends: number;
  largestBatch: number;
}

/** One statement carries at most this much; the rest of the queue follows in the next one. */
const MAX_BATCH_ROWS = 1000;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Ids are taken in one CTE and the k-th input row gets the k-th smallest, so each caller
 * knows its id without relying on the order in which PostgreSQL evaluates defaults or
 * returns rows. Taking them inside the INSERT matters: the statement holds its lock on
 * `updates` from before the first id is taken (see settledMark.ts).
 */
const INSERT_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::bytea[])
    WITH ORDINALITY AS t(doc, at, origin, data, ord)
),
ids AS MATERIALIZED (SELECT nextval('updates_id_seq') AS id FROM generate_series(1, $5::int)),
numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS ord FROM ids)
INSERT INTO updates (id, doc, at, origin, data)
SELECT n.id, i.doc, i.at, i.origin, i.data FROM input i JOIN numbered n USING (ord)
RETURNING id`;

/**
 * Group commit for appends: the appends requested in one event-loop turn go to the
 * database in one INSERT (one round trip, one commit), and each caller's promise settles
 * only once that statement has committed. While a batch is in flight, new appends queue
 * and form the next batch as soon as it returns, so one process's appends to a document
 * get increasing ids in the order they were requested. A batch that fails rejects every
 * append in it.
 */
export class AppendBatcher {
  private readonly db: Queryable;
  private queue: Pending[] = [];
  /** Set while a drain is scheduled or running; resolves when it has emptied the queue. */
  private draining: Promise<void> | null = null;
  private closed = false;
  readonly stats: AppendStats = { statements: 0, appends: 0, largestBatch: 0 };

  constructor(db: Queryable) {
    this.db = db;
  }

  append(doc: string, data: Uint8Array, origin: string, at: number): Promise<number> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    // Checked here, so that one bad append fails alone rather than its whole batch.
    if (!Number.isFinite(at)) return Promise.reject(new Error(`append time ${at} is not a time`));
    if (doc.includes("\0") || origin.includes("\0"))
      return Promise.reject(new Error("a document name or origin holds a NUL character"));
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, data, origin, at: Math.trunc(at), resolve, reject });
      this.schedule();
    });
  }

  /** Refuses new appends and waits for those already requested to settle. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await this.draining;
  }

  private schedule(): void {
    // setImmediate, not a microtask: every append of the current turn joins the batch.
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.drain(),
    );
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.insert(this.take());
    } finally {
      // Cleared in the same synchronous step as the empty check, so no append is stranded.
      this.draining = null;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private take(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_ROWS) {
      bytes += this.queue[n].data.byteLength;
      if (n > 0 && bytes > MAX_BATCH_BYTES) break;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async insert(batch: Pending[]): Promise<void> {
    this.stats.statements++;
    this.stats.appends += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    try {
      const { rows } = await this.db.query<{ id: number }>(INSERT_BATCH, [
        batch.map((p) => p.doc),
        batch.map((p) => p.at),
        batch.map((p) => p.origin),
        batch.map((p) => p.data),
        batch.length,
      ]);
      if (rows.length !== batch.length)
        throw new Error(`appended ${rows.length} updates of ${batch.length}`);
      const ids = rows.map((row) => row.id).sort((a, b) => a - b);
      for (const [i, pending] of batch.entries()) pending.resolve(ids[i]);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      for (const pending of batch) pending.reject(e);
    }
  }
}
