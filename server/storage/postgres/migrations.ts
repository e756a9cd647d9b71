import type pg from "pg";
import { LOCK_MIGRATE, type Queryable, quoteIdentifier } from "./pgPool.ts";

/** One forward step of the PostgreSQL schema. Steps never change once released; a change is a new step. */
interface Migration {
  version: number;
  description: string;
  up: string | ((db: Queryable) => Promise<void>);
}

/**
 * The same tables and indexes as the SQLite store, in PostgreSQL's types: epoch
 * milliseconds and ids are bigint, blobs bytea. `updates.id` must come from a sequence
 * with CACHE 1 (bigserial's default): the checkpoint safety argument in logQueries.ts
 * relies on ids being handed out in increasing order across sessions.
 */
const INITIAL_SCHEMA = `
CREATE TABLE updates (
  id bigserial PRIMARY KEY,
  doc text NOT NULL,
  at bigint NOT NULL,
  origin text NOT NULL,
  data bytea NOT NULL
);
CREATE INDEX updates_doc_id ON updates (doc, id);
CREATE TABLE checkpoints (
  doc text NOT NULL,
  seq bigint NOT NULL,
  at bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (doc, seq)
);
CREATE TABLE history (
  doc text PRIMARY KEY,
  start_at bigint NOT NULL
);
CREATE TABLE counters (
  name text PRIMARY KEY,
  value bigint NOT NULL
);
CREATE TABLE access_tokens (
  id text PRIMARY KEY,
  role text NOT NULL,
  name text NOT NULL,
  scope text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  created_by text NOT NULL,
  revoked_at bigint,
  shared boolean NOT NULL DEFAULT false,
  parent text
);
CREATE INDEX access_tokens_scope ON access_tokens (scope, created_at);
CREATE INDEX access_tokens_parent ON access_tokens (parent);
CREATE TABLE channel_links (
  platform text NOT NULL,
  channel text NOT NULL,
  incident text NOT NULL,
  webhook_url text,
  created_at bigint NOT NULL,
  created_by text NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE INDEX channel_links_incident ON channel_links (incident);
CREATE TABLE chat_rooms (
  platform text NOT NULL,
  channel text NOT NULL,
  name text NOT NULL,
  named_at bigint NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE TABLE chat_transactions (
  platform text NOT NULL,
  txn_id text NOT NULL,
  digest text NOT NULL,
  applied_at bigint NOT NULL,
  PRIMARY KEY (platform, txn_id)
);
CREATE TABLE sessions (
  id text PRIMARY KEY,
  secret_hash text NOT NULL,
  subject text NOT NULL,
  name text NOT NULL,
  email text,
  role text NOT NULL,
  scope text NOT NULL,
  token_id text,
  via text NOT NULL,
  csrf text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked_at bigint
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE people (
  subject text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX people_email ON people (email);
CREATE TABLE incidents (
  key text PRIMARY KEY,
  created_at bigint NOT NULL,
  summary text
);
CREATE TABLE chat_deliveries (
  key text PRIMARY KEY,
  holder text NOT NULL,
  claimed_at bigint NOT NULL,
  done_at bigint
);
CREATE INDEX chat_deliveries_done ON chat_deliveries (done_at) WHERE done_at IS NOT NULL;
CREATE TABLE settings (
  name text PRIMARY KEY,
  value text NOT NULL
);
`;

const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "every table of the stores", up: INITIAL_SCHEMA },
];

/** The version this code brings a database to. */
const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings `schema` to the latest version, creating it if missing. Everything runs in one
 * transaction holding an advisory lock on the schema, so processes starting together
 * migrate once (the others wait, then find nothing to do), and a failed step leaves the
 * database as it was. Refuses a database that a newer hotdoc has migrated further.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_MIGRATE, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_version (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)",
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_version");
    let version = rows[0]?.version ?? 0;
    if (version > LATEST_VERSION)
      throw new Error(
        `the PostgreSQL schema "${schema}" is at version ${version}, newer than this hotdoc knows (${LATEST_VERSION}): run a newer hotdoc`,
      );
    for (const step of MIGRATIONS) {
      if (step.version <= version) continue;
      if (typeof step.up === "string") await client.query(step.up);
      else await step.up(client);
      version = step.version;
    }
    await client.query(
      "INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT (one) DO UPDATE SET version = excluded.version",
      [version],
    );
    await client.query("COMMIT");
    return version;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: Error) => {
      broken = rollback;
    });
    throw error;
  } finally {
    // A connection that could not even roll back is discarded, not reused.
    client.release(broken);
  }
}
