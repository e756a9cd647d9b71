import type { DatabaseSync } from "node:sqlite";
import { transaction } from "./transaction.ts";

/** One forward step of the SQLite schema. Steps never change once released; a change is a new step. */
interface Migration {
  version: number;
  description: string;
  up: string | ((db: DatabaseSync) => void);
}

/**
 * The schema as hotdoc created it before versions were recorded. Every statement is
 * IF NOT EXISTS, so a database from then (with no schema_version table) is adopted as
 * version 1 as it stands.
 */
const INITIAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  doc TEXT NOT NULL,
  at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_doc_id ON updates (doc, id);
CREATE TABLE IF NOT EXISTS checkpoints (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
);
CREATE TABLE IF NOT EXISTS history (
  doc TEXT PRIMARY KEY,
  start_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at INTEGER,
  shared INTEGER NOT NULL DEFAULT 0,
  parent TEXT
);
CREATE INDEX IF NOT EXISTS access_tokens_scope ON access_tokens (scope, created_at);
CREATE TABLE IF NOT EXISTS channel_links (
  platform TEXT NOT NULL,
  channel TEXT NOT NULL,
  incident TEXT NOT NULL,
  webhook_url TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE INDEX IF NOT EXISTS channel_links_incident ON channel_links (incident);
CREATE TABLE IF NOT EXISTS chat_rooms (
  platform TEXT NOT NULL,
  channel TEXT NOT NULL,
  name TEXT NOT NULL,
  named_at INTEGER NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE TABLE IF NOT EXISTS chat_transactions (
  platform TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (platform, txn_id)
);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT,
  role TEXT NOT NULL,
  scope TEXT NOT NULL,
  token_id TEXT,
  via TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS people (
  subject TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS people_email ON people (email);
CREATE TABLE IF NOT EXISTS incidents (
  key TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS checkpoint_parts (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq, part)
);
`;

/** The forward migrations, in order; the database's version is the last one applied. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "the schema before versions were recorded (adopts such a database as it is)",
    up: (db) => {
      db.exec(INITIAL_SCHEMA);
      // Columns the earliest databases lack (shared and personal links came later).
      const columns = new Set(
        (db.prepare("PRAGMA table_info(access_tokens)").all() as { name: string }[]).map(
          (c) => c.name,
        ),
      );
      if (!columns.has("shared"))
        db.exec("ALTER TABLE access_tokens ADD COLUMN shared INTEGER NOT NULL DEFAULT 0");
      if (!columns.has("parent")) db.exec("ALTER TABLE access_tokens ADD COLUMN parent TEXT");
      db.exec("CREATE INDEX IF NOT EXISTS access_tokens_parent ON access_tokens (parent)");
    },
  },
  {
    version: 2,
    description: "chat delivery claims and shared settings, for several processes on one database",
    up: `
CREATE TABLE chat_deliveries (
  key TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX chat_deliveries_done ON chat_deliveries (done_at) WHERE done_at IS NOT NULL;
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 3,
    description: "one writer at a time of a document's checkpoint parts, across processes",
    up: `
CREATE TABLE checkpoint_writers (
  doc TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);
`,
  },
];

/** Thrown at start-up when the database was migrated by a newer hotdoc than this one. */
export class SchemaTooNewError extends Error {
  constructor(file: string, found: number, known: number) {
    super(
      `${file} is at schema version ${found}, but this hotdoc knows versions up to ${known}: it was written by a newer hotdoc. Run that version (or newer), or restore a backup made before the upgrade.`,
    );
    this.name = "SchemaTooNewError";
  }
}

/**
 * Brings the database up to the newest version, one migration per transaction, each
 * recording its version. Several processes may start at once: each step re-reads the
 * version under the write lock, so a step is applied once. Returns the version.
 */
export function migrate(db: DatabaseSync, file: string): number {
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  const current = () => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    );
    const row = db.prepare("SELECT version FROM schema_version WHERE id = 1").get() as
      | { version: number }
      | undefined;
    return row ? Number(row.version) : 0;
  };
  let version = transaction(db, current);
  if (version > latest) throw new SchemaTooNewError(file, version, latest);
  for (const step of MIGRATIONS) {
    if (step.version <= version) continue;
    version = transaction(db, () => {
      const now = current();
      if (now >= step.version) return now;
      if (typeof step.up === "string") db.exec(step.up);
      else step.up(db);
      db.prepare(
        "INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
      ).run(step.version);
      return step.version;
    });
  }
  return version;
}
