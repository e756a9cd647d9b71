import pg from "pg";

/** What the PostgreSQL stores run their statements on: the pool, or one client of it. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** Where the stores' tables live: a database and a schema in it. */
export interface PostgresTarget {
  url: string;
  schema: string;
}

/** A schema name is put into connection options and DDL, so it is a plain identifier. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Namespaces (the first key of the two-key advisory locks) so hotdoc's locks never
 * collide with another application's on the same database. The second key hashes the
 * schema (and the document), so two hotdocs in two schemas do not wait for each other.
 */
export const LOCK_MIGRATE = 0x686f7401;
export const LOCK_COMPACT = 0x686f7402;

/**
 * int8 (counts, ids, epoch milliseconds) as a number rather than pg's default string.
 * Per pool, never on pg's global parsers: other code in the process may rely on those.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema))
    throw new Error(`PostgreSQL schema "${schema}" is not a lower-case SQL identifier`);
  return schema;
}

/**
 * A pool whose every connection works in `schema` (search_path), gives up on a statement
 * after 30 s and on connecting after 3 s, so that a database that is down makes calls
 * fail fast instead of hanging; a transaction left idle is ended by the server.
 */
export function createPool(
  target: PostgresTarget,
  options: { max: number; name: string; onError: (error: Error) => void },
): pg.Pool {
  const schema = checkSchemaName(target.schema);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.max,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
    // The server's timeout does nothing when the server is frozen or cut off: the client
    // gives up too, and keepalive finds a dead peer in seconds rather than hours.
    query_timeout: 35_000,
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: options.name,
    options: `-c search_path=${schema}`,
    types,
  });
  // An idle client whose connection drops emits on the pool; unhandled, that would
  // crash the process. The pool discards that client and connects a new one next time.
  pool.on("error", options.onError);
  return pool;
}

export function quoteIdentifier(name: string): string {
  return pg.escapeIdentifier(name);
}

/** What the PostgreSQL stores have in common: each runs its statements on the pool. */
export abstract class PoolStore {
  protected readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Whether the statement changed (or, a SELECT, returned) any row. */
  protected async anyRow(sql: string, values: unknown[]): Promise<boolean> {
    const { rowCount } = await this.pool.query(sql, values);
    return (rowCount ?? 0) > 0;
  }
}
