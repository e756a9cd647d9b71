import type pg from "pg";
import type { Queryable } from "./pgPool.ts";

/**
 * The update log's statements that both the store (main thread) and its worker
 * (pgLogThread.ts, its own connections) run. Each read that must be consistent is one
 * statement, so it sees one snapshot: a checkpoint and the updates after it can never
 * come from before and after a concurrent compaction.
 */

export interface CheckpointMeta {
  seq: number;
  at: number;
  /** Size of the stored state in bytes. */
  bytes: number;
}

export interface LogRow {
  id: number;
  at: number;
  data: Uint8Array;
}

export interface LogRead {
  /** Where exact history starts when some of it was pruned. */
  historyStart: number | null;
  /** The newest checkpoint (taken at or before `at`); `data` is null when larger than asked for. */
  checkpoint: (CheckpointMeta & { data: Uint8Array | null }) | null;
  /** The updates after it (accepted at or before `at`), in order, at most `tailLimit`. */
  rows: LogRow[];
}

/** Pruning deletes at most this many rows per statement, so no transaction grows with the log. */
const PRUNE_BATCH = 5000;

/**
 * The checkpoint and the updates after it, as of now or as of `at`, in one statement.
 * `inlineBytes` and `tailLimit` bound what the main thread is sent: a caller that gets a
 * checkpoint without data, or `tailLimit` rows, asks the worker instead.
 */
export async function readLog(
  db: Queryable,
  doc: string,
  options: { at?: number; inlineBytes?: number; tailLimit?: number } = {},
): Promise<LogRead> {
  const until = options.at === undefined ? "" : "AND at <= $4";
  const values: unknown[] = [doc, options.inlineBytes ?? null, options.tailLimit ?? null];
  if (options.at !== undefined) values.push(options.at);
  const { rows } = await db.query<{
    kind: number;
    id: number;
    at: number | null;
    bytes: number | null;
    data: Uint8Array | null;
  }>(
    `WITH c AS MATERIALIZED (
       SELECT seq, at, data FROM checkpoints WHERE doc = $1 ${until} ORDER BY seq DESC LIMIT 1
     )
     SELECT 0 AS kind, seq AS id, at, octet_length(data)::int8 AS bytes,
       CASE WHEN $2::int8 IS NULL OR octet_length(data) <= $2::int8 THEN data END AS data FROM c
     UNION ALL
     (SELECT 1, id, at, NULL, data FROM updates
       WHERE doc = $1 AND id > coalesce((SELECT seq FROM c), 0) ${until}
       ORDER BY id LIMIT $3::int8)
     UNION ALL
     SELECT 2, start_at, NULL, NULL, NULL FROM history WHERE doc = $1`,
    values,
  );
  const read: LogRead = { historyStart: null, checkpoint: null, rows: [] };
  for (const row of rows) {
    if (row.kind === 2) read.historyStart = row.id;
    else if (row.kind === 0)
      read.checkpoint = { seq: row.id, at: row.at ?? 0, bytes: row.bytes ?? 0, data: row.data };
    else read.rows.push({ id: row.id, at: row.at ?? 0, data: row.data ?? new Uint8Array(0) });
  }
  read.rows.sort((a, b) => a.id - b.id);
  return read;
}

/** The updates after `afterSeq` up to `lastSeq`, in order. */
export async function readRows(
  db: Queryable,
  doc: string,
  afterSeq: number,
  lastSeq: number,
): Promise<LogRow[]> {
  const { rows } = await db.query<LogRow>(
    "SELECT id, at, data FROM updates WHERE doc = $1 AND id > $2 AND id <= $3 ORDER BY id",
    [doc, afterSeq, lastSeq],
  );
  return rows;
}

/** The newest checkpoint's size and what has accumulated after it (reads every row of the tail). */
export async function tailStats(
  db: Queryable,
  doc: string,
): Promise<{ checkpoint: CheckpointMeta | null; n: number; last: number | null; bytes: number }> {
  const { rows } = await db.query<{
    seq: number | null;
    at: number | null;
    cbytes: number | null;
    n: number;
    last: number | null;
    bytes: number;
  }>(
    `SELECT c.seq, c.at, c.cbytes, t.n, t.last, t.bytes
     FROM (SELECT 1) one
     LEFT JOIN (SELECT seq, at, octet_length(data)::int8 AS cbytes FROM checkpoints
                WHERE doc = $1 ORDER BY seq DESC LIMIT 1) c ON true
     CROSS JOIN LATERAL (
       SELECT count(*)::int8 AS n, max(id) AS last, coalesce(sum(octet_length(data)), 0)::int8 AS bytes
       FROM updates WHERE doc = $1 AND id > coalesce(c.seq, 0)) t`,
    [doc],
  );
  const row = rows[0];
  return {
    checkpoint: row.seq === null ? null : { seq: row.seq, at: row.at ?? 0, bytes: row.cbytes ?? 0 },
    n: row.n,
    last: row.last,
    bytes: row.bytes,
  };
}

/**
 * Whether compaction may have anything to do: at least `every` updates after the newest
 * checkpoint (counting stops there, so this costs the same for any tail), or something
 * that the newest checkpoint taken at or before `before` covers. Index lookups only.
 */
export async function compactionDue(
  db: Queryable,
  doc: string,
  every: number,
  before: number | null,
): Promise<boolean> {
  const { rows } = await db.query<{ loose: number; prunable: boolean }>(
    `WITH b AS (SELECT seq FROM checkpoints WHERE doc = $1 AND at <= $3 ORDER BY seq DESC LIMIT 1)
     SELECT (SELECT count(*) FROM (SELECT 1 FROM updates WHERE doc = $1 AND id > coalesce(
               (SELECT max(seq) FROM checkpoints WHERE doc = $1), 0) LIMIT $2) l)::int8 AS loose,
       coalesce(EXISTS (SELECT 1 FROM updates WHERE doc = $1 AND id <= (SELECT seq FROM b))
         OR EXISTS (SELECT 1 FROM checkpoints WHERE doc = $1 AND seq < (SELECT seq FROM b)), false)
         AS prunable`,
    [doc, Math.max(1, every), before],
  );
  return rows[0].loose >= every || rows[0].prunable;
}

/**
 * Stores a checkpoint covering every update up to `seq`, unless one at or after `seq`
 * exists. Its time is the newest acceptance time it covers (the previous checkpoint's,
 * or an update's): a load "as of t" never gets a checkpoint holding anything after t,
 * even when processes' clocks disagree and ids do not follow times exactly.
 */
export async function writeCheckpoint(
  db: Queryable,
  doc: string,
  seq: number,
  state: Uint8Array,
): Promise<boolean> {
  const result = await db.query(
    `WITH prev AS (SELECT seq, at FROM checkpoints WHERE doc = $1 ORDER BY seq DESC LIMIT 1)
     INSERT INTO checkpoints (doc, seq, at, data)
     SELECT $1, $2, greatest(
       coalesce((SELECT at FROM prev), 0),
       coalesce((SELECT max(at) FROM updates
                 WHERE doc = $1 AND id <= $2 AND id > coalesce((SELECT seq FROM prev), 0)), 0)), $3
     WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE doc = $1 AND seq >= $2)`,
    [doc, seq, state],
  );
  return result.rowCount === 1;
}

/**
 * Deletes the updates and older checkpoints that the newest checkpoint taken at or
 * before `before` covers, in bounded statements. The history start moves in the same
 * transaction as the first deletion, so a reader never finds an undeclared gap.
 */
export async function prune(
  client: pg.PoolClient,
  doc: string,
  before: number,
): Promise<{ prunedUpdates: number; prunedCheckpoints: number }> {
  const result = { prunedUpdates: 0, prunedCheckpoints: 0 };
  const { rows } = await client.query<{ seq: number; at: number }>(
    "SELECT seq, at FROM checkpoints WHERE doc = $1 AND at <= $2 ORDER BY seq DESC LIMIT 1",
    [doc, before],
  );
  const base = rows[0];
  if (!base) return result;
  const deleteBatch = async () =>
    (
      await client.query(
        `DELETE FROM updates WHERE id IN (
           SELECT id FROM updates WHERE doc = $1 AND id <= $2 ORDER BY id LIMIT ${PRUNE_BATCH})`,
        [doc, base.seq],
      )
    ).rowCount ?? 0;
  await client.query("BEGIN");
  try {
    result.prunedCheckpoints =
      (await client.query("DELETE FROM checkpoints WHERE doc = $1 AND seq < $2", [doc, base.seq]))
        .rowCount ?? 0;
    result.prunedUpdates = await deleteBatch();
    if (result.prunedUpdates > 0 || result.prunedCheckpoints > 0)
      await client.query(
        `INSERT INTO history (doc, start_at) VALUES ($1, $2)
         ON CONFLICT (doc) DO UPDATE SET start_at = greatest(history.start_at, excluded.start_at)`,
        [doc, base.at],
      );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  let deleted = result.prunedUpdates;
  while (deleted === PRUNE_BATCH) {
    deleted = await deleteBatch();
    result.prunedUpdates += deleted;
  }
  return result;
}

/** When exact history starts (epoch ms): where pruning left it, else the oldest update. */
export async function historyStart(db: Queryable, doc: string): Promise<number | null> {
  const { rows } = await db.query<{ at: number | null }>(
    `SELECT coalesce((SELECT start_at FROM history WHERE doc = $1),
                     (SELECT min(at) FROM updates WHERE doc = $1)) AS at`,
    [doc],
  );
  return rows[0].at;
}
