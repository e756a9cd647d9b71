import { randomUUID } from "node:crypto";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { checkpointDue } from "../logWorker.ts";
import { prepareAll } from "./prepare.ts";
import { transaction } from "./transaction.ts";

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
 * How long a process may hold the right to write a document's checkpoint parts before
 * another may take it over (it is renewed with every part, so only a writer that stopped
 * loses it).
 */
const WRITER_LEASE_MS = 60_000;

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
  /** Who this connection is when it holds a document's checkpoint-writer lease. */
  private readonly writer = randomUUID();

  constructor(db: DatabaseSync) {
    this.db = db;
    const meta = `SELECT seq, at, length(data) AS inline,
      (SELECT coalesce(sum(length(p.data)), 0) FROM checkpoint_parts p WHERE p.doc = c.doc AND p.seq = c.seq) AS parted
      FROM checkpoints c`;
    this.s = prepareAll(db, {
      latest: `${meta} WHERE doc = ? ORDER BY seq DESC LIMIT 1`,
      atOrBefore: `${meta} WHERE doc = ? AND at <= ? ORDER BY seq DESC LIMIT 1`,
      inline: "SELECT data FROM checkpoints WHERE doc = ? AND seq = ?",
      parts: "SELECT data FROM checkpoint_parts WHERE doc = ? AND seq = ? ORDER BY part",
      count: "SELECT count(*) AS n, max(id) AS last FROM updates WHERE doc = ? AND id > ?",
      countUntil:
        "SELECT count(*) AS n, max(id) AS last FROM updates WHERE doc = ? AND id > ? AND at <= ?",
      tail: "SELECT count(*) AS n, max(id) AS last, coalesce(sum(length(data)), 0) AS bytes FROM updates WHERE doc = ? AND id > ?",
      rows: "SELECT id, at, data FROM updates WHERE doc = ? AND id > ? AND id <= ? ORDER BY id",
      rowsUntil:
        "SELECT id, at, data FROM updates WHERE doc = ? AND id > ? AND at <= ? ORDER BY id",
      updateAt: "SELECT at FROM updates WHERE id = ?",
      clearParts: "DELETE FROM checkpoint_parts WHERE doc = ? AND seq = ?",
      orphanParts:
        "DELETE FROM checkpoint_parts WHERE doc = ? AND seq NOT IN (SELECT seq FROM checkpoints WHERE doc = ?)",
      insertPart:
        "INSERT OR REPLACE INTO checkpoint_parts (doc, seq, part, data) VALUES (?, ?, ?, ?)",
      insertCheckpoint:
        "INSERT OR REPLACE INTO checkpoints (doc, seq, at, data) VALUES (?, ?, ?, ?)",
      pruneUpdates: `DELETE FROM updates WHERE id IN (SELECT id FROM updates WHERE doc = ? AND id <= ? LIMIT ${PRUNE_BATCH})`,
      pruneCheckpoints: "DELETE FROM checkpoints WHERE doc = ? AND seq < ?",
      prunePartsBefore: "DELETE FROM checkpoint_parts WHERE doc = ? AND seq < ?",
      setHistoryStart:
        "INSERT INTO history (doc, start_at) VALUES (?, ?) ON CONFLICT (doc) DO UPDATE SET start_at = excluded.start_at",
      historyStart: "SELECT start_at FROM history WHERE doc = ?",
      firstUpdate: "SELECT min(at) AS at FROM updates WHERE doc = ?",
      // Taken when free, expired, or already ours; RETURNING is empty when another holds it.
      claimWriter: `INSERT INTO checkpoint_writers (doc, holder, until) VALUES (?, ?, ?)
         ON CONFLICT (doc) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE checkpoint_writers.holder = excluded.holder OR checkpoint_writers.until <= ?
         RETURNING holder`,
      releaseWriter: "DELETE FROM checkpoint_writers WHERE doc = ? AND holder = ?",
      prunable:
        "SELECT EXISTS (SELECT 1 FROM updates WHERE doc = ? AND id <= ?) OR EXISTS (SELECT 1 FROM checkpoints WHERE doc = ? AND seq < ?) AS yes",
    });
  }

  /** The tail a new checkpoint would cover, when one is due (logWorker.ts's checkpointDue); else null. */
  checkpointDue(doc: string, every: number): (Tail & { last: number }) | null {
    const latest = this.checkpoint(doc);
    const tail = this.tail(doc, latest?.seq ?? 0);
    if (tail.last === null || !checkpointDue(tail, latest, every)) return null;
    return { ...tail, last: tail.last };
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
   * at or after `seq` appeared meanwhile, or when another process is writing parts for
   * this document (one writer at a time: two would delete or mix each other's parts).
   */
  writeCheckpoint(doc: string, seq: number, at: number, state: Uint8Array): boolean {
    if (state.byteLength <= CHECKPOINT_PART_BYTES)
      return this.transaction(() => {
        const newest = this.checkpoint(doc);
        if (newest && newest.seq >= seq) return false;
        this.s.insertCheckpoint.run(doc, seq, at, state);
        return true;
      });
    // Every write below first renews the lease, so once another process has taken it over
    // (and cleared the parts) nothing more of this one lands.
    const holding = () =>
      this.s.claimWriter.get(doc, this.writer, Date.now() + WRITER_LEASE_MS, Date.now()) !==
      undefined;
    const started = this.transaction(() => {
      const newest = this.checkpoint(doc);
      // Written meanwhile (its parts are not to be touched), or being written by another.
      if ((newest && newest.seq >= seq) || !holding()) return false;
      this.s.orphanParts.run(doc, doc);
      this.s.clearParts.run(doc, seq);
      return true;
    });
    if (!started) return false;
    try {
      for (
        let offset = 0, part = 0;
        offset < state.byteLength;
        offset += CHECKPOINT_PART_BYTES, part++
      ) {
        const chunk = state.subarray(
          offset,
          Math.min(offset + CHECKPOINT_PART_BYTES, state.byteLength),
        );
        const written = this.transaction(() => {
          if (!holding()) return false;
          this.s.insertPart.run(doc, seq, part, chunk);
          return true;
        });
        if (!written) return false;
      }
      return this.transaction(() => {
        if (!holding()) return false;
        const newest = this.checkpoint(doc);
        if (newest && newest.seq >= seq) {
          // Only an inline checkpoint can have appeared while this holds the lease: the parts are ours.
          this.s.clearParts.run(doc, seq);
          return false;
        }
        this.s.insertCheckpoint.run(doc, seq, at, new Uint8Array(0));
        return true;
      });
    } finally {
      this.transaction(() => this.s.releaseWriter.run(doc, this.writer));
    }
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

  /**
   * Runs reads as of one instant: another process's checkpoint or pruning that commits
   * meanwhile is not seen halfway (a checkpoint found, then its rows or parts gone).
   */
  snapshot<T>(work: () => T): T {
    return transaction(this.db, work, "DEFERRED");
  }

  private transaction<T>(work: () => T): T {
    return transaction(this.db, work);
  }
}
