import fs from "node:fs";
import path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Stores } from "../stores.ts";
import { AppendWorker } from "./AppendWorker.ts";
import { CheckpointWorker } from "./CheckpointWorker.ts";
import { migrate } from "./migrations.ts";
import { SqliteChatRooms } from "./SqliteChatRooms.ts";
import { SqliteIncidents } from "./SqliteIncidents.ts";
import { SqlitePeople } from "./SqlitePeople.ts";
import { SqliteSessions } from "./SqliteSessions.ts";
import { SqliteSettings } from "./SqliteSettings.ts";
import { SqliteTokens } from "./SqliteTokens.ts";
import { SqliteUpdateLog } from "./SqliteUpdateLog.ts";

/**
 * The embedded stores: one SQLite file (`hotdoc.sqlite` in the data directory) through
 * `node:sqlite` (no native addon), one connection shared by every store. WAL with
 * synchronous=FULL, so a committed write survives a crash of the process and of the
 * machine; the calls are synchronous underneath. The update log's appends and its
 * checkpoints each have a worker thread with its own connection to the same file (see
 * SqliteUpdateLog).
 */
export class SqliteStores implements Stores {
  readonly kind = "sqlite";
  /** The database file. */
  readonly file: string;
  readonly log: SqliteUpdateLog;
  readonly incidents: SqliteIncidents;
  readonly tokens: SqliteTokens;
  readonly sessions: SqliteSessions;
  readonly people: SqlitePeople;
  readonly chat: SqliteChatRooms;
  readonly settings: SqliteSettings;
  private readonly db: DatabaseSync;
  private readonly worker: CheckpointWorker;
  private readonly writer: AppendWorker;
  private readonly version: number;
  private readonly pingStatement: StatementSync;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, "hotdoc.sqlite");
    this.db = new DatabaseSync(this.file);
    try {
      // wal_autocheckpoint = 0: this connection never copies the WAL into the database file
      // inside a commit (an append on the event loop); the checkpoint worker does it.
      this.db.exec(
        "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;",
      );
      this.version = migrate(this.db, this.file);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.worker = new CheckpointWorker(this.file);
    this.writer = new AppendWorker(this.file);
    this.log = new SqliteUpdateLog(this.db, this.worker, this.writer);
    this.incidents = new SqliteIncidents(this.db);
    this.tokens = new SqliteTokens(this.db);
    this.sessions = new SqliteSessions(this.db);
    this.people = new SqlitePeople(this.db);
    this.chat = new SqliteChatRooms(this.db);
    this.settings = new SqliteSettings(this.db);
    this.pingStatement = this.db.prepare("SELECT 1 AS ok");
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  async ping(): Promise<void> {
    this.pingStatement.get();
  }

  async close(): Promise<void> {
    // Appends requested so far are committed (and settled) before the connections go.
    await this.log.drain();
    await this.writer.close();
    await this.worker.close();
    if (this.db.isOpen) this.db.close();
  }
}

/** Opens (creating and migrating as needed) the SQLite stores in `dataDir`. */
export async function openSqliteStores(dataDir: string): Promise<SqliteStores> {
  return new SqliteStores(dataDir);
}
