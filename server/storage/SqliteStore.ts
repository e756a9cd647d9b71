import fs from "node:fs";
import path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import * as Y from "yjs";
import type { IncidentSummary } from "#shared/doc/index.ts";
import { CheckpointWorker } from "./CheckpointWorker.ts";
import {
  type AccessTokenRecord,
  type ChannelLink,
  type ChatTransaction,
  type CompactionResult,
  type DocumentStore,
  HistoryCompactedError,
  type PersonRecord,
  type RoomName,
  type SessionRecord,
  type StoredIncident,
} from "./DocumentStore.ts";
import { UPDATE_LOG_SCHEMA, UpdateLog } from "./UpdateLog.ts";

/**
 * A load whose tail is at most this many updates, on a checkpoint of at most this
 * many bytes, is merged on the calling thread; anything bigger is built by the
 * checkpoint worker. `Y.mergeUpdates` is quadratic in the number of updates and
 * linear in the checkpoint's size, and a round trip to the worker costs ~1 ms.
 */
const INLINE_TAIL = 64;
const INLINE_CHECKPOINT_BYTES = 1024 * 1024;
/** The worker copies the WAL into the database file after this many appends (it also does after every compaction). */
const WAL_CHECKPOINT_EVERY = 1000;

const SCHEMA = `
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
`;

/**
 * The embedded store: one SQLite file through `node:sqlite` (no native addon).
 * WAL with synchronous=FULL, so a committed append survives a crash of the process
 * and of the machine. The calls are synchronous underneath: an append is on disk
 * before `appendUpdate` even returns its promise.
 *
 * Everything proportional to a document's size happens in the checkpoint worker
 * (CheckpointWorker, its own connection to the same database): writing checkpoints,
 * pruning, building a state from a long tail, and copying the WAL into the database
 * file. The calling thread only appends, reads rows, and merges short tails.
 */
export class SqliteStore implements DocumentStore {
  readonly kind = "sqlite";
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly statements: Record<string, StatementSync>;
  private readonly log: UpdateLog;
  private readonly worker: CheckpointWorker;
  private appendsSinceWalCheckpoint = 0;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, "hotdoc.sqlite");
    this.db = new DatabaseSync(this.file);
    // wal_autocheckpoint = 0: this connection never copies the WAL into the database file
    // inside a commit (an append on the event loop); the checkpoint worker does it.
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0;",
    );
    this.db.exec(SCHEMA);
    addMissingColumns(this.db);
    this.db.exec(UPDATE_LOG_SCHEMA);
    this.log = new UpdateLog(this.db);
    this.worker = new CheckpointWorker(this.file);
    const s = (sql: string) => this.db.prepare(sql);
    this.statements = {
      append: s("INSERT INTO updates (doc, at, origin, data) VALUES (?, ?, ?, ?)"),
      nextCounter: s(
        "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
      ),
      insertIncident: s("INSERT INTO incidents (key, created_at) VALUES (?, ?)"),
      incidentExists: s("SELECT 1 AS found FROM incidents WHERE key = ?"),
      // The last activity is the newest row of the update log, or of the checkpoints once
      // pruning has folded the updates into one (a checkpoint carries the time of the last
      // update it covers). Both are index seeks per incident: nothing is written per
      // update to keep it, and no document is read to list them.
      listIncidents: s(
        `SELECT key, created_at, summary, max(created_at,
           coalesce((SELECT u.at FROM updates u WHERE u.doc = i.key ORDER BY u.id DESC LIMIT 1), 0),
           coalesce((SELECT c.at FROM checkpoints c WHERE c.doc = i.key ORDER BY c.seq DESC LIMIT 1), 0)
         ) AS last_activity
         FROM incidents i ORDER BY created_at DESC, key DESC`,
      ),
      saveSummary: s("UPDATE incidents SET summary = ? WHERE key = ?"),
      saveToken: s(
        "INSERT INTO access_tokens (id, role, name, scope, created_at, expires_at, created_by, revoked_at, shared, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      childTokens: s("SELECT id FROM access_tokens WHERE parent = ? ORDER BY created_at, id"),
      listTokens: s("SELECT * FROM access_tokens ORDER BY created_at DESC, id"),
      listTokensInScope: s(
        "SELECT * FROM access_tokens WHERE scope = ? ORDER BY created_at DESC, id",
      ),
      revokeToken: s(
        "UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? OR parent = ?",
      ),
      saveSession: s(
        "INSERT INTO sessions (id, secret_hash, subject, name, email, role, scope, token_id, via, csrf, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      findSession: s("SELECT * FROM sessions WHERE id = ?"),
      revokeSession: s("UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?"),
      listSessions: s(
        "SELECT * FROM sessions WHERE expires_at > ? ORDER BY created_at DESC, id LIMIT 10000",
      ),
      pruneSessions: s("DELETE FROM sessions WHERE expires_at < ?"),
      savePerson: s(
        `INSERT INTO people (subject, name, email, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET name = excluded.name, email = excluded.email, updated_at = excluded.updated_at`,
      ),
      findPersonByEmail: s(
        "SELECT * FROM people WHERE email = ? ORDER BY updated_at DESC, subject LIMIT 1",
      ),
      // A personal link stands only while the shared link it was minted from does (even one
      // minted in the instant that link was being revoked).
      tokenStatus: s(
        `SELECT t.revoked_at, p.revoked_at AS parent_revoked_at FROM access_tokens t
         LEFT JOIN access_tokens p ON p.id = t.parent WHERE t.id = ?`,
      ),
      linkChannel: s(
        `INSERT INTO channel_links (platform, channel, incident, webhook_url, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, channel) DO UPDATE SET incident = excluded.incident,
           webhook_url = coalesce(excluded.webhook_url, CASE WHEN channel_links.incident = excluded.incident THEN channel_links.webhook_url END),
           created_at = excluded.created_at, created_by = excluded.created_by`,
      ),
      findChannel: s("SELECT * FROM channel_links WHERE platform = ? AND channel = ?"),
      listChannels: s(
        "SELECT * FROM channel_links WHERE incident = ? ORDER BY created_at, platform, channel",
      ),
      findRoomName: s("SELECT name, named_at FROM chat_rooms WHERE platform = ? AND channel = ?"),
      saveRoomName: s(
        `INSERT INTO chat_rooms (platform, channel, name, named_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, channel) DO UPDATE SET name = excluded.name, named_at = excluded.named_at`,
      ),
      findChatTransaction: s(
        "SELECT digest, applied_at FROM chat_transactions WHERE platform = ? AND txn_id = ?",
      ),
      saveChatTransaction: s(
        "INSERT OR IGNORE INTO chat_transactions (platform, txn_id, digest, applied_at) VALUES (?, ?, ?, ?)",
      ),
      ping: s("SELECT 1 AS ok"),
    };
  }

  async appendUpdate(
    doc: string,
    update: Uint8Array,
    origin: string,
    at: number = Date.now(),
  ): Promise<number> {
    const result = this.statements.append.run(doc, at, origin, update);
    if (++this.appendsSinceWalCheckpoint >= WAL_CHECKPOINT_EVERY) {
      this.appendsSinceWalCheckpoint = 0;
      void this.worker.walCheckpoint().catch(() => undefined);
    }
    return Number(result.lastInsertRowid);
  }

  async loadState(doc: string, options: { at?: number } = {}): Promise<Uint8Array | null> {
    const { at } = options;
    if (at !== undefined) {
      const start = this.log.historyStart(doc);
      if (start.pruned && start.at !== null && at < start.at)
        throw new HistoryCompactedError(doc, start.at);
    }
    const checkpoint = this.log.checkpoint(doc, at);
    const tail = this.log.count(doc, checkpoint?.seq ?? 0, at);
    if (!checkpoint && tail.n === 0) return null;
    if (checkpoint && tail.n === 0) return this.log.read(doc, checkpoint);
    if (tail.n <= INLINE_TAIL && (checkpoint?.bytes ?? 0) <= INLINE_CHECKPOINT_BYTES) {
      const rows = this.log.rows(
        doc,
        checkpoint?.seq ?? 0,
        at === undefined ? { lastSeq: tail.last ?? 0 } : { at },
      );
      const parts = [
        ...(checkpoint ? [this.log.read(doc, checkpoint)] : []),
        ...rows.map((row) => row.data),
      ];
      return parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
    }
    return (await this.worker.build(doc, at)).state;
  }

  async compact(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
  ): Promise<CompactionResult> {
    // Ruling out is a few index lookups here; the worker decides the rest (it reads the rows).
    const now = options.now ?? Date.now();
    const due =
      this.looseUpdates(doc) >= options.every ||
      (options.keepMs > 0 && this.log.pruneDue(doc, now - options.keepMs));
    if (!due) return { checkpointSeq: null, prunedUpdates: 0, prunedCheckpoints: 0 };
    const { checkpointSeq, checkpointBytes, prunedUpdates, prunedCheckpoints, ms } =
      await this.worker.compact(doc, {
        every: options.every,
        keepMs: options.keepMs,
        now,
      });
    return { checkpointSeq, checkpointBytes, prunedUpdates, prunedCheckpoints, workerMs: ms };
  }

  async historyStart(doc: string): Promise<number | null> {
    return this.log.historyStart(doc).at;
  }

  /** How many single updates a load must apply on top of the newest checkpoint (diagnostics and tests). */
  looseUpdates(doc: string): number {
    return this.log.count(doc, this.log.checkpoint(doc)?.seq ?? 0).n;
  }

  async createIncident(prefix: string, createdAt: number = Date.now()): Promise<string> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const { value } = this.statements.nextCounter.get(prefix) as { value: number };
      const key = `${prefix}-${value}`;
      this.statements.insertIncident.run(key, createdAt);
      this.db.exec("COMMIT");
      return key;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async incidentExists(key: string): Promise<boolean> {
    return this.statements.incidentExists.get(key) !== undefined;
  }

  async listIncidents(): Promise<StoredIncident[]> {
    const rows = this.statements.listIncidents.all() as {
      key: string;
      created_at: number;
      summary: string | null;
      last_activity: number;
    }[];
    return rows.map((row) => ({
      key: row.key,
      createdAt: row.created_at,
      summary: row.summary ? (JSON.parse(row.summary) as IncidentSummary) : null,
      lastActivityAt: Number(row.last_activity),
    }));
  }

  async saveSummary(key: string, summary: IncidentSummary): Promise<void> {
    this.statements.saveSummary.run(JSON.stringify(summary), key);
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    this.statements.saveToken.run(
      token.id,
      token.role,
      token.name,
      token.scope,
      token.createdAt,
      token.expiresAt,
      token.createdBy,
      token.revokedAt,
      token.shared ? 1 : 0,
      token.parent,
    );
  }

  async listAccessTokens(scope?: string): Promise<AccessTokenRecord[]> {
    const rows = (
      scope === undefined
        ? this.statements.listTokens.all()
        : this.statements.listTokensInScope.all(scope)
    ) as {
      id: string;
      role: AccessTokenRecord["role"];
      name: string;
      scope: string;
      created_at: number;
      expires_at: number;
      created_by: string;
      revoked_at: number | null;
      shared: number;
      parent: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      name: r.name,
      scope: r.scope,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      createdBy: r.created_by,
      revokedAt: r.revoked_at,
      shared: r.shared === 1,
      parent: r.parent,
    }));
  }

  async revokeAccessToken(id: string, at: number = Date.now()): Promise<boolean> {
    return Number(this.statements.revokeToken.run(at, id, id).changes) > 0;
  }

  async childTokens(id: string): Promise<string[]> {
    return (this.statements.childTokens.all(id) as { id: string }[]).map((r) => r.id);
  }

  async saveSession(session: SessionRecord): Promise<void> {
    // Expired sessions are of no use to anyone: each sign-in clears those gone a day ago.
    this.statements.pruneSessions.run(session.createdAt - 86_400_000);
    this.statements.saveSession.run(
      session.id,
      session.secretHash,
      session.subject,
      session.name,
      session.email,
      session.role,
      session.scope,
      session.tokenId,
      session.via,
      session.csrf,
      session.createdAt,
      session.expiresAt,
      session.revokedAt,
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const row = this.statements.findSession.get(id) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async revokeSession(id: string, at: number = Date.now()): Promise<boolean> {
    return Number(this.statements.revokeSession.run(at, id).changes) > 0;
  }

  async listSessions(now: number = Date.now()): Promise<SessionRecord[]> {
    return (this.statements.listSessions.all(now) as unknown as SessionRow[]).map(sessionFromRow);
  }

  async savePerson(person: PersonRecord): Promise<void> {
    this.statements.savePerson.run(
      person.subject,
      person.name,
      person.email.toLowerCase(),
      person.updatedAt,
    );
  }

  async findPersonByEmail(email: string): Promise<PersonRecord | null> {
    const row = this.statements.findPersonByEmail.get(email.toLowerCase()) as
      | { subject: string; name: string; email: string; updated_at: number }
      | undefined;
    return row
      ? { subject: row.subject, name: row.name, email: row.email, updatedAt: row.updated_at }
      : null;
  }

  async accessTokenStatus(id: string): Promise<"active" | "revoked" | "unknown"> {
    const row = this.statements.tokenStatus.get(id) as
      | { revoked_at: number | null; parent_revoked_at: number | null }
      | undefined;
    if (!row) return "unknown";
    return row.revoked_at === null && row.parent_revoked_at === null ? "active" : "revoked";
  }

  async linkChannel(link: ChannelLink): Promise<void> {
    this.statements.linkChannel.run(
      link.platform,
      link.channel,
      link.incident,
      link.webhookUrl,
      link.createdAt,
      link.createdBy,
    );
  }

  async findChannelLink(platform: string, channel: string): Promise<ChannelLink | null> {
    const row = this.statements.findChannel.get(platform, channel) as ChannelRow | undefined;
    return row ? channelLink(row) : null;
  }

  async listChannelLinks(incident: string): Promise<ChannelLink[]> {
    return (this.statements.listChannels.all(incident) as unknown as ChannelRow[]).map(channelLink);
  }
  async recordRoomName(
    platform: string,
    channel: string,
    name: string | null,
    at: number = Date.now(),
  ): Promise<RoomName | null> {
    const row = this.statements.findRoomName.get(platform, channel) as
      | { name: string; named_at: number }
      | undefined;
    // Write only when the name changes: most deliveries repeat it, and a write is an fsync.
    if (name !== null && row?.name !== name) {
      this.statements.saveRoomName.run(platform, channel, name, at);
      return { name, namedAt: at };
    }
    return row ? { name: row.name, namedAt: row.named_at } : null;
  }

  async recordChatTransaction(
    platform: string,
    txnId: string,
    digest: string | null,
    at: number = Date.now(),
  ): Promise<ChatTransaction | null> {
    if (digest !== null) this.statements.saveChatTransaction.run(platform, txnId, digest, at);
    const row = this.statements.findChatTransaction.get(platform, txnId) as
      | { digest: string; applied_at: number }
      | undefined;
    return row ? { digest: row.digest, appliedAt: row.applied_at } : null;
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    await this.worker.close();
    if (this.db.isOpen) this.db.close();
  }
}

interface ChannelRow {
  platform: string;
  channel: string;
  incident: string;
  webhook_url: string | null;
  created_at: number;
  created_by: string;
}

function channelLink(row: ChannelRow): ChannelLink {
  return {
    platform: row.platform,
    channel: row.channel,
    incident: row.incident,
    webhookUrl: row.webhook_url,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

interface SessionRow {
  id: string;
  secret_hash: string;
  subject: string;
  name: string;
  email: string | null;
  role: SessionRecord["role"];
  scope: string;
  token_id: string | null;
  via: SessionRecord["via"];
  csrf: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    subject: r.subject,
    name: r.name,
    email: r.email,
    role: r.role,
    scope: r.scope,
    tokenId: r.token_id,
    via: r.via,
    csrf: r.csrf,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

/** Columns added after a table was first created: a database from an earlier version gains them at start. */
function addMissingColumns(db: DatabaseSync): void {
  const columns = new Set(
    (db.prepare("PRAGMA table_info(access_tokens)").all() as { name: string }[]).map((c) => c.name),
  );
  if (!columns.has("shared"))
    db.exec("ALTER TABLE access_tokens ADD COLUMN shared INTEGER NOT NULL DEFAULT 0");
  if (!columns.has("parent")) db.exec("ALTER TABLE access_tokens ADD COLUMN parent TEXT");
  db.exec("CREATE INDEX IF NOT EXISTS access_tokens_parent ON access_tokens (parent)");
}
