import fs from "node:fs";
import path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import * as Y from "yjs";
import type { IncidentSummary } from "../../shared/doc/index.ts";
import {
  type AccessTokenRecord,
  type ChannelLink,
  type CompactionResult,
  type DocumentStore,
  HistoryCompactedError,
  type StoredIncident,
} from "./DocumentStore.ts";

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
  revoked_at INTEGER
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
CREATE TABLE IF NOT EXISTS incidents (
  key TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  summary TEXT
);
`;

interface UpdateRow {
  id: number;
  at: number;
  data: Uint8Array;
}
interface CheckpointRow {
  seq: number;
  at: number;
  data: Uint8Array;
}

/**
 * The embedded store: one SQLite file through `node:sqlite` (no native addon).
 * WAL with synchronous=FULL, so a committed append survives a crash of the process
 * and of the machine. The calls are synchronous underneath: an append is on disk
 * before `appendUpdate` even returns its promise.
 */
export class SqliteStore implements DocumentStore {
  readonly kind = "sqlite";
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly statements: Record<string, StatementSync>;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, "hotdoc.sqlite");
    this.db = new DatabaseSync(this.file);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
    const s = (sql: string) => this.db.prepare(sql);
    this.statements = {
      append: s("INSERT INTO updates (doc, at, origin, data) VALUES (?, ?, ?, ?)"),
      latestCheckpoint: s("SELECT seq, at, data FROM checkpoints WHERE doc = ? ORDER BY seq DESC LIMIT 1"),
      checkpointAtOrBefore: s(
        "SELECT seq, at, data FROM checkpoints WHERE doc = ? AND at <= ? ORDER BY seq DESC LIMIT 1",
      ),
      updatesAfter: s("SELECT id, at, data FROM updates WHERE doc = ? AND id > ? ORDER BY id"),
      updatesAfterUntil: s("SELECT id, at, data FROM updates WHERE doc = ? AND id > ? AND at <= ? ORDER BY id"),
      countAfter: s("SELECT count(*) AS n, max(id) AS last FROM updates WHERE doc = ? AND id > ?"),
      insertCheckpoint: s("INSERT OR REPLACE INTO checkpoints (doc, seq, at, data) VALUES (?, ?, ?, ?)"),
      pruneUpdates: s("DELETE FROM updates WHERE doc = ? AND id <= ?"),
      pruneCheckpoints: s("DELETE FROM checkpoints WHERE doc = ? AND seq < ?"),
      setHistoryStart: s(
        "INSERT INTO history (doc, start_at) VALUES (?, ?) ON CONFLICT (doc) DO UPDATE SET start_at = excluded.start_at",
      ),
      historyStart: s("SELECT start_at FROM history WHERE doc = ?"),
      firstUpdate: s("SELECT min(at) AS at FROM updates WHERE doc = ?"),
      nextCounter: s(
        "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
      ),
      insertIncident: s("INSERT INTO incidents (key, created_at) VALUES (?, ?)"),
      incidentExists: s("SELECT 1 AS found FROM incidents WHERE key = ?"),
      listIncidents: s("SELECT key, created_at, summary FROM incidents ORDER BY created_at DESC, key DESC"),
      saveSummary: s("UPDATE incidents SET summary = ? WHERE key = ?"),
      saveToken: s(
        "INSERT INTO access_tokens (id, role, name, scope, created_at, expires_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      listTokens: s("SELECT * FROM access_tokens ORDER BY created_at DESC, id"),
      listTokensInScope: s("SELECT * FROM access_tokens WHERE scope = ? ORDER BY created_at DESC, id"),
      revokeToken: s("UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?"),
      tokenStatus: s("SELECT revoked_at FROM access_tokens WHERE id = ?"),
      linkChannel: s(
        `INSERT INTO channel_links (platform, channel, incident, webhook_url, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, channel) DO UPDATE SET incident = excluded.incident,
           webhook_url = coalesce(excluded.webhook_url, CASE WHEN channel_links.incident = excluded.incident THEN channel_links.webhook_url END),
           created_at = excluded.created_at, created_by = excluded.created_by`,
      ),
      findChannel: s("SELECT * FROM channel_links WHERE platform = ? AND channel = ?"),
      listChannels: s("SELECT * FROM channel_links WHERE incident = ? ORDER BY created_at, platform, channel"),
      ping: s("SELECT 1 AS ok"),
    };
  }

  async appendUpdate(doc: string, update: Uint8Array, origin: string, at: number = Date.now()): Promise<number> {
    const result = this.statements.append.run(doc, at, origin, update);
    return Number(result.lastInsertRowid);
  }

  async loadState(doc: string, options: { at?: number } = {}): Promise<Uint8Array | null> {
    const { at } = options;
    let checkpoint: CheckpointRow | undefined;
    let updates: UpdateRow[];
    if (at === undefined) {
      checkpoint = this.statements.latestCheckpoint.get(doc) as CheckpointRow | undefined;
      updates = this.statements.updatesAfter.all(doc, checkpoint?.seq ?? 0) as unknown as UpdateRow[];
    } else {
      const start = this.historyStartSync(doc);
      if (start !== null && at < start && this.hasPrunedHistory(doc)) throw new HistoryCompactedError(doc, start);
      checkpoint = this.statements.checkpointAtOrBefore.get(doc, at) as CheckpointRow | undefined;
      updates = this.statements.updatesAfterUntil.all(doc, checkpoint?.seq ?? 0, at) as unknown as UpdateRow[];
    }
    const parts = [...(checkpoint ? [checkpoint.data] : []), ...updates.map((u) => u.data)];
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
  }

  async compact(doc: string, options: { every: number; keepMs: number; now?: number }): Promise<CompactionResult> {
    const now = options.now ?? Date.now();
    const result: CompactionResult = { checkpointSeq: null, prunedUpdates: 0, prunedCheckpoints: 0 };
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const latest = this.statements.latestCheckpoint.get(doc) as CheckpointRow | undefined;
      const pending = this.statements.countAfter.get(doc, latest?.seq ?? 0) as { n: number; last: number | null };
      if (pending.n >= options.every && pending.last !== null) {
        const rows = this.statements.updatesAfter.all(doc, latest?.seq ?? 0) as unknown as UpdateRow[];
        const state = checkpointState(latest?.data, rows);
        const last = rows[rows.length - 1];
        this.statements.insertCheckpoint.run(doc, last.id, last.at, state);
        result.checkpointSeq = last.id;
      }
      if (options.keepMs > 0) {
        const base = this.statements.checkpointAtOrBefore.get(doc, now - options.keepMs) as CheckpointRow | undefined;
        if (base) {
          result.prunedUpdates = Number(this.statements.pruneUpdates.run(doc, base.seq).changes);
          result.prunedCheckpoints = Number(this.statements.pruneCheckpoints.run(doc, base.seq).changes);
          if (result.prunedUpdates > 0 || result.prunedCheckpoints > 0) this.statements.setHistoryStart.run(doc, base.at);
        }
      }
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    return result;
  }

  async historyStart(doc: string): Promise<number | null> {
    return this.historyStartSync(doc);
  }

  private historyStartSync(doc: string): number | null {
    const pruned = this.statements.historyStart.get(doc) as { start_at: number } | undefined;
    if (pruned) return pruned.start_at;
    const first = this.statements.firstUpdate.get(doc) as { at: number | null } | undefined;
    return first?.at ?? null;
  }

  private hasPrunedHistory(doc: string): boolean {
    return this.statements.historyStart.get(doc) !== undefined;
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
    const rows = this.statements.listIncidents.all() as { key: string; created_at: number; summary: string | null }[];
    return rows.map((row) => ({
      key: row.key,
      createdAt: row.created_at,
      summary: row.summary ? (JSON.parse(row.summary) as IncidentSummary) : null,
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
    );
  }

  async listAccessTokens(scope?: string): Promise<AccessTokenRecord[]> {
    const rows = (scope === undefined ? this.statements.listTokens.all() : this.statements.listTokensInScope.all(scope)) as {
      id: string;
      role: AccessTokenRecord["role"];
      name: string;
      scope: string;
      created_at: number;
      expires_at: number;
      created_by: string;
      revoked_at: number | null;
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
    }));
  }

  async revokeAccessToken(id: string, at: number = Date.now()): Promise<boolean> {
    return Number(this.statements.revokeToken.run(at, id).changes) > 0;
  }

  async accessTokenStatus(id: string): Promise<"active" | "revoked" | "unknown"> {
    const row = this.statements.tokenStatus.get(id) as { revoked_at: number | null } | undefined;
    if (!row) return "unknown";
    return row.revoked_at === null ? "active" : "revoked";
  }

  async linkChannel(link: ChannelLink): Promise<void> {
    this.statements.linkChannel.run(link.platform, link.channel, link.incident, link.webhookUrl, link.createdAt, link.createdBy);
  }

  async findChannelLink(platform: string, channel: string): Promise<ChannelLink | null> {
    const row = this.statements.findChannel.get(platform, channel) as ChannelRow | undefined;
    return row ? channelLink(row) : null;
  }

  async listChannelLinks(incident: string): Promise<ChannelLink[]> {
    return (this.statements.listChannels.all(incident) as unknown as ChannelRow[]).map(channelLink);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
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

/** A compact full state: the checkpoint and the updates applied to a fresh doc and re-encoded. */
export function checkpointState(base: Uint8Array | undefined, rows: readonly { data: Uint8Array }[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, Y.mergeUpdates([...(base ? [base] : []), ...rows.map((row) => row.data)]));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
