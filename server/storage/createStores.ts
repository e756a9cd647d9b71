import { openPostgresStores } from "./postgres/openPostgresStores.ts";
import { openSqliteStores } from "./sqlite/openSqliteStores.ts";
import type { Stores } from "./stores.ts";

/**
 * The one way the server, the CLI and the benchmarks get their stores: PostgreSQL when a
 * database is configured (DATABASE_URL), else SQLite in the data directory. Either way the
 * schema is migrated forward before this resolves.
 */
export function createStores(options: {
  dataDir: string;
  database: { url: string; schema: string } | null;
}): Promise<Stores> {
  return options.database
    ? openPostgresStores({ url: options.database.url, schema: options.database.schema })
    : openSqliteStores(options.dataDir);
}
