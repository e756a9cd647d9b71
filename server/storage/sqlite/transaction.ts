import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `work` in one transaction on `db`. "IMMEDIATE" takes the write lock at once (so
 * a read-then-write cannot interleave with another connection's write); "DEFERRED" with
 * only reads inside gives them one consistent snapshot of a WAL database.
 */
export function transaction<T>(
  db: DatabaseSync,
  work: () => T,
  mode: "IMMEDIATE" | "DEFERRED" = "IMMEDIATE",
): T {
  db.exec(`BEGIN ${mode}`);
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
