import type { Queryable } from "./pgPool.ts";

/**
 * Why a checkpoint needs a "settled" sequence number, and how one is found.
 *
 * `updates.id` comes from a sequence, which hands out numbers when an INSERT runs, not
 * when it commits. With several processes appending, a row with a smaller id can become
 * visible after a larger one: process A takes id 10, process B takes 11 and commits, and
 * for a moment a reader sees 11 but not 10. A checkpoint written then "up to 11" would
 * not contain 10; loads start after 11 and pruning deletes everything up to 11, so
 * update 10 would be lost although A was told it was committed.
 *
 * So a checkpoint only goes up to a mark H below which nothing is still in flight:
 *  1. One statement reads H = the document's highest visible id, and (after its snapshot
 *     was taken) the transactions that hold a lock allowing writes on `updates`.
 *  2. Wait until each of those transactions has ended (holds no lock any more).
 * Any row with id < H that the snapshot missed was inserted by a transaction that had
 * taken its id before H's was taken (the sequence has CACHE 1, so ids are handed out in
 * increasing order across sessions), hence before the snapshot; an INSERT holds
 * RowExclusiveLock on the table from before it takes ids (relation locks are taken when
 * the statement is parsed) until its transaction ends, so that transaction is in the
 * list of step 1. Once the list is empty, every id ≤ H is committed or will never exist,
 * and a fresh snapshot sees all of them. Later appends take ids above H.
 *
 * Unlike `LOCK TABLE updates IN SHARE MODE` (which would queue every process's appends
 * behind the lock while it waits, e.g. for autovacuum), this blocks nobody: appends go
 * on while the compacting worker waits.
 */

const WRITE_LOCKS = [
  "RowExclusiveLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock",
];

/**
 * The document's settled mark (see above), or null when it has no updates or when a
 * writer was still in flight after `maxWaitMs` (the caller skips this checkpoint).
 */
export async function settledMark(
  db: Queryable,
  doc: string,
  maxWaitMs: number,
): Promise<number | null> {
  const { rows } = await db.query<{ last: number | null; writers: string[] }>(
    `SELECT (SELECT max(id) FROM updates WHERE doc = $1) AS last,
       ARRAY(SELECT DISTINCT l.virtualtransaction FROM pg_locks l
             WHERE l.locktype = 'relation' AND l.relation = 'updates'::regclass
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.mode = ANY($2::text[]) AND l.virtualtransaction IS NOT NULL
               AND l.pid IS DISTINCT FROM pg_backend_pid()) AS writers`,
    [doc, WRITE_LOCKS],
  );
  const { last } = rows[0];
  let writers = rows[0].writers;
  if (last === null) return null;
  const deadline = performance.now() + maxWaitMs;
  for (let pause = 2; writers.length > 0; pause = Math.min(pause * 2, 50)) {
    if (performance.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, pause));
    // A transaction holds its locks until it ends (a prepared one, until it is finished).
    const still = await db.query<{ vxid: string }>(
      "SELECT DISTINCT virtualtransaction AS vxid FROM pg_locks WHERE virtualtransaction = ANY($1::text[])",
      [writers],
    );
    writers = still.rows.map((row) => row.vxid);
  }
  return last;
}
