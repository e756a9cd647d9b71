import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Every statement of `sql` prepared on `db`, under the same name, in order. */
export function prepareAll<Name extends string>(
  db: DatabaseSync,
  sql: Record<Name, string>,
): Record<Name, StatementSync> {
  const statements = {} as Record<Name, StatementSync>;
  for (const name of Object.keys(sql) as Name[]) statements[name] = db.prepare(sql[name]);
  return statements;
}
