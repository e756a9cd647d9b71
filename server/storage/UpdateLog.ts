import type { DatabaseSync, StatementSync } from "node:sqlite";
import * as Y from "yjs";

/**
 * A checkpoint larger than this is written in parts, each in its own short transaction:
 * SQLite has one writer, and the server's appends (synchronous, on the event loop) wait
 * for whoever holds the lock. Writing a 60 MB state in one transaction would stall every
 * incident for as long as that write takes; a 1 MiB part keeps the wait to milliseconds.
 */
const CHECKPOINT_PART_BYTES = 1024 * 1024;

/** Pruning deletes at most this many rows per transaction, for the same reason. */
const PRUNE_BATCH = 2000;

/**
 * A new checkpoint is written once `every` updates have accumulated and they amount to
 * a quarter of the last checkpoint's size, or once 32 × `every` have, however small.
 * So the bytes written for checkpoints stay proportional to the bytes users write (a
 * 60 MB document is not rewritten after every 500 updates), and a load never applies
 * more than a bounded tail.
 */
const FORCE_AFTER_EVERY = 32;
const TAIL_SHARE = 4;

export const UPDATE_LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoint_parts (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq, part)
);
`;

export interface CheckpointMeta {
  seq: number;
  at: number;
  /** Size of the stored state in bytes. */
  bytes: number;
}

export interface UpdateRow {
  id: number;
  at: number;
  data: Uint8Array;
}

export interface Tail {
  /** Updates after the checkpoint. */
  n: number;
  /** Sequence number of the newest of them, if any. */
  last: number | null;
  /** Their total size in bytes. */
  bytes: number;
}

/**
 * The update log and its checkpoints, over one SQLite connection: the statements that
 * both the store (main thread) and the checkpoint worker (its own connection to the same
 * WAL database) need. A checkpoint row whose `data` is empty is stored in parts.
 */
export class UpdateLog {
  private readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.db = db;
    const meta = `SELECT seq, at, length(data) AS inline,
      (SELECT coalesce(sum(length(p.data)), 0) FROM checkpoint_parts p WHERE p.doc = c.doc AND p.seq = c.seq) AS parted
      FROM checkpoints c`;
    const s = (sql: string) => db.prepare(sql);
    this.s = {
      latest: s(`${meta} WHERE doc = ? ORDER BY seq DESC LIMIT 1`),
      atOrBefore: s(`${meta} WHERE doc = ? AND at <= ? ORDER BY seq DESC LIMIT 1`),
      inline: s("SELECT data FROM checkpoints WHERE doc = ? AND seq = ?"),
      parts: s("SELECT data FROM checkpoint_parts WHERE doc = ? AND seq = ? ORDER BY part"),
      count: s("SELECT count(*) AS n, max(id) AS last FROM updates WHERE doc = ? AND id > ?"),
      countUntil: s(
        "SELECT count(*) AS n, max(id) AS last FROM updates WHERE doc = ? AND id > ? AND at <= ?",
      ),
      tail: s(
        "SELECT count(*) AS n, max(id) AS last, coalesce(sum(length(data)), 0) AS bytes FROM updates WHERE doc = ? AND id > ?",
      ),
      rows: s("SELECT id, at, data FROM updates WHERE doc = ? AND id > ? AND id <= ? ORDER BY id"),
      rowsUntil: s(
        "SELECT id, at, data FROM updates WHERE doc = ? AND id > ? AND at <= ? ORDER BY id",
      ),
      updateAt: s("SELECT at FROM updates WHERE id = ?"),
      clearParts: s("DELETE FROM checkpoint_parts WHERE doc = ? AND seq = ?"),
      orphanParts: s(
        "DELETE FROM checkpoint_parts WHERE doc = ? AND seq NOT IN (SELECT seq FROM checkpoints WHERE doc = ?)",
      ),
      insertPart: s(
        "INSERT OR REPLACE INTO checkpoint_parts (doc, seq, part, data) VALUES (?, ?, ?, ?)",
      ),
      insertCheckpoint: s(
        "INSERT OR REPLACE INTO checkpoints (doc, seq, at, data) VALUES (?, ?, ?, ?)",
      ),
      pruneUpdates: s(
        `DELETE FROM updates WHERE id IN (SELECT id FROM updates WHERE doc = ? AND id <= ? LIMIT ${PRUNE_BATCH})`,
      ),
      pruneCheckpoints: s("DELETE FROM checkpoints WHERE doc = ? AND seq < ?"),
      prunePartsBefore: s("DELETE FROM checkpoint_parts WHERE doc = ? AND seq < ?"),
      setHistoryStart: s(
        "INSERT INTO history (doc, start_at) VALUES (?, ?) ON CONFLICT (doc) DO UPDATE SET start_at = excluded.start_at",
      ),
      historyStart: s("SELECT start_at FROM history WHERE doc = ?"),
      firstUpdate: s("SELECT min(at) AS at FROM updates WHERE doc = ?"),
      prunable: s(
        "SELECT EXISTS (SELECT 1 FROM updates WHERE doc = ? AND id <= ?) OR EXISTS (SELECT 1 FROM checkpoints WHERE doc = ? AND seq < ?) AS yes",
      ),
    };
  }

  /** The tail a new checkpoint would cover, when one is due (see FORCE_AFTER_EVERY); else null. */
  checkpointDue(doc: string, every: number): (Tail & { last: number }) | null {
    const latest = this.checkpoint(doc);
    const tail = this.tail(doc, latest?.seq ?? 0);
    if (tail.last === null || tail.n < every) return null;
    const due =
      !latest || tail.n >= every * FORCE_AFTER_EVERY || tail.bytes * TAIL_SHARE >= latest.bytes;
    return due ? { ...tail, last: tail.last } : null;
  }

  /** Whether `prune(doc, before)` would delete anything. */
  pruneDue(doc: string, before: number): boolean {
    const base = this.checkpoint(doc, before);
    if (!base) return false;
    return Number((this.s.prunable.get(doc, base.seq, doc, base.seq) as { yes: number }).yes) === 1;
  }

  /** The newest checkpoint, or the newest one taken at or before `at`. */
  checkpoint(doc: string, at?: number): CheckpointMeta | undefined {
    const row = (at === undefined ? this.s.latest.get(doc) : this.s.atOrBefore.get(doc, at)) as
      | { seq: number; at: number; inline: number; parted: number }
      | undefined;
    return row
      ? { seq: row.seq, at: row.at, bytes: row.inline > 0 ? row.inline : row.parted }
      : undefined;
  }

  /** A checkpoint's stored state. */
  read(doc: string, checkpoint: CheckpointMeta): Uint8Array {
    const inline = this.s.inline.get(doc, checkpoint.seq) as { data: Uint8Array } | undefined;
    if (inline && inline.data.byteLength > 0) return inline.data;
    const parts = (this.s.parts.all(doc, checkpoint.seq) as { data: Uint8Array }[]).map(
      (p) => p.data,
    );
    if (parts.length === 0) throw new Error(`checkpoint ${checkpoint.seq} of ${doc} has no data`);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Count, newest sequence number and total size of the updates after `seq` (reads every row). */
  tail(doc: string, seq: number): Tail {
    const row = this.s.tail.get(doc, seq) as unknown as Tail;
    return {
      n: Number(row.n),
      last: row.last === null ? null : Number(row.last),
      bytes: Number(row.bytes),
    };
  }

  /**
   * Count and newest sequence number of the updates after `seq` (accepted at or before
   * `at`). Without `at`, from the (doc, id) index alone: cheap enough for the event loop.
   */
  count(doc: string, seq: number, at?: number): { n: number; last: number | null } {
    const row = (
      at === undefined ? this.s.count.get(doc, seq) : this.s.countUntil.get(doc, seq, at)
    ) as { n: number; last: number | null };
    return { n: Number(row.n), last: row.last === null ? null : Number(row.last) };
  }

  /** The updates after `afterSeq`, up to sequence number `lastSeq` or accepted at or before `at`. */
  rows(doc: string, afterSeq: number, until: { lastSeq: number } | { at: number }): UpdateRow[] {
    const rows =
      "lastSeq" in until
        ? this.s.rows.all(doc, afterSeq, until.lastSeq)
        : this.s.rowsUntil.all(doc, afterSeq, until.at);
    return rows as unknown as UpdateRow[];
  }

  /** When update `seq` was accepted. */
  acceptedAt(seq: number): number {
    return (this.s.updateAt.get(seq) as { at: number }).at;
  }

  /**
   * Stores a checkpoint: large states part by part (each part its own transaction),
   * then the row that makes it visible. Returns false, writing nothing, when a checkpoint
   * at or after `seq` appeared meanwhile.
   */
  writeCheckpoint(doc: string, seq: number, at: number, state: Uint8Array): boolean {
    const parted = state.byteLength > CHECKPOINT_PART_BYTES;
    if (parted) {
      this.transaction(() => {
        this.s.orphanParts.run(doc, doc);
        this.s.clearParts.run(doc, seq);
      });
      for (
        let offset = 0, part = 0;
        offset < state.byteLength;
        offset += CHECKPOINT_PART_BYTES, part++
      ) {
        const chunk = state.subarray(
          offset,
          Math.min(offset + CHECKPOINT_PART_BYTES, state.byteLength),
        );
        this.transaction(() => this.s.insertPart.run(doc, seq, part, chunk));
      }
    }
    return this.transaction(() => {
      const newest = this.checkpoint(doc);
      if (newest && newest.seq >= seq) {
        if (parted) this.s.clearParts.run(doc, seq);
        return false;
      }
      this.s.insertCheckpoint.run(doc, seq, at, parted ? new Uint8Array(0) : state);
      return true;
    });
  }

  /**
   * Prunes single updates and checkpoints that the newest checkpoint taken at or before
   * `before` covers, in short transactions; the history start moves first, so a reader
   * never finds a gap that is not declared.
   */
  prune(doc: string, before: number): { prunedUpdates: number; prunedCheckpoints: number } {
    const base = this.checkpoint(doc, before);
    const result = { prunedUpdates: 0, prunedCheckpoints: 0 };
    if (!base) return result;
    for (let round = 0; ; round++) {
      const deleted = this.transaction(() => {
        const n = Number(this.s.pruneUpdates.run(doc, base.seq).changes);
        if (round === 0) {
          result.prunedCheckpoints = Number(this.s.pruneCheckpoints.run(doc, base.seq).changes);
          this.s.prunePartsBefore.run(doc, base.seq);
          if (n > 0 || result.prunedCheckpoints > 0) this.s.setHistoryStart.run(doc, base.at);
        }
        return n;
      });
      result.prunedUpdates += deleted;
      if (deleted < PRUNE_BATCH) return result;
    }
  }

  /** When exact history starts (epoch ms), and whether anything before it was pruned. */
  historyStart(doc: string): { at: number | null; pruned: boolean } {
    const pruned = this.s.historyStart.get(doc) as { start_at: number } | undefined;
    if (pruned) return { at: pruned.start_at, pruned: true };
    const first = this.s.firstUpdate.get(doc) as { at: number | null } | undefined;
    return { at: first?.at ?? null, pruned: false };
  }

  private transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }
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
