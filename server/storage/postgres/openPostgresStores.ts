import type pg from "pg";
import type { Stores } from "../stores.ts";
import { migrate } from "./migrations.ts";
import { PgAccessTokens, PgPeople, PgSessions } from "./PgAccess.ts";
import { PgChatRooms, PgSettings } from "./PgChatRooms.ts";
import { PgIncidents } from "./PgIncidents.ts";
import { PgUpdateLog } from "./PgUpdateLog.ts";
import { checkSchemaName, createPool, type PostgresTarget } from "./pgPool.ts";

/**
 * The stores on PostgreSQL: every table in one schema of one database, shared by any
 * number of hotdoc processes. One pool per process (plus the log worker's own small one).
 */
class PostgresStores implements Stores {
  readonly kind = "postgres";
  readonly log: PgUpdateLog;
  readonly incidents: PgIncidents;
  readonly tokens: PgAccessTokens;
  readonly sessions: PgSessions;
  readonly people: PgPeople;
  readonly chat: PgChatRooms;
  readonly settings: PgSettings;
  private readonly pool: pg.Pool;
  private closing: Promise<void> | null = null;

  constructor(pool: pg.Pool, target: PostgresTarget) {
    this.pool = pool;
    this.log = new PgUpdateLog(pool, target);
    this.incidents = new PgIncidents(pool);
    this.tokens = new PgAccessTokens(pool);
    this.sessions = new PgSessions(pool);
    this.people = new PgPeople(pool);
    this.chat = new PgChatRooms(pool);
    this.settings = new PgSettings(pool);
  }

  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>(
      "SELECT version FROM schema_version",
    );
    return rows[0]?.version ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  /** Lets requested appends commit and the worker finish, then ends the pool. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.log.close();
      } finally {
        await this.pool.end();
      }
    })();
    return this.closing;
  }
}

/**
 * Opens the stores in `schema` of the database at `url`, creating the schema and
 * migrating it forward first. Rejects (and leaves nothing open) when the database cannot
 * be reached or is newer than this code. `onError` hears about connections that fail
 * while idle (the pool replaces them); by default they are ignored.
 */
export async function openPostgresStores(options: {
  url: string;
  schema: string;
  onError?: (error: Error) => void;
}): Promise<Stores> {
  const target = { url: options.url, schema: checkSchemaName(options.schema) };
  const pool = createPool(target, {
    max: 10,
    name: "hotdoc",
    onError: options.onError ?? (() => undefined),
  });
  try {
    await migrate(pool, target.schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStores(pool, target);
}
