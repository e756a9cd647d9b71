import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { IncidentSummary } from "#shared/doc/index.ts";
import type { StoredIncident } from "../records.ts";
import { type IncidentRow, incidentFromRow } from "../rows.ts";
import type { IncidentRegistry } from "../stores.ts";
import { transaction } from "./transaction.ts";

/** The incident registry in SQLite: per-prefix counters and the incidents table. */
export class SqliteIncidents implements IncidentRegistry {
  private readonly db: DatabaseSync;
  private readonly nextCounter: StatementSync;
  private readonly insert: StatementSync;
  private readonly exists: StatementSync;
  private readonly list: StatementSync;
  private readonly summary: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.nextCounter = db.prepare(
      "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
    );
    this.insert = db.prepare("INSERT INTO incidents (key, created_at) VALUES (?, ?)");
    this.exists = db.prepare("SELECT 1 AS found FROM incidents WHERE key = ?");
    // The last activity is the newest row of the update log, or of the checkpoints once
    // pruning has folded the updates into one (a checkpoint carries the time of the last
    // update it covers). Both are index seeks per incident: nothing is written per
    // update to keep it, and no document is read to list them.
    this.list = db.prepare(
      `SELECT key, created_at, summary, max(created_at,
         coalesce((SELECT u.at FROM updates u WHERE u.doc = i.key ORDER BY u.id DESC LIMIT 1), 0),
         coalesce((SELECT c.at FROM checkpoints c WHERE c.doc = i.key ORDER BY c.seq DESC LIMIT 1), 0)
       ) AS last_activity
       FROM incidents i ORDER BY created_at DESC, key DESC`,
    );
    this.summary = db.prepare("UPDATE incidents SET summary = ? WHERE key = ?");
  }

  async createIncident(prefix: string, createdAt: number = Date.now()): Promise<string> {
    // Counter and row in one write transaction: another process's declaration waits for it.
    return transaction(this.db, () => {
      const { value } = this.nextCounter.get(prefix) as { value: number };
      const key = `${prefix}-${value}`;
      this.insert.run(key, createdAt);
      return key;
    });
  }

  async incidentExists(key: string): Promise<boolean> {
    return this.exists.get(key) !== undefined;
  }

  async listIncidents(): Promise<StoredIncident[]> {
    return (this.list.all() as unknown as IncidentRow[]).map(incidentFromRow);
  }

  async saveSummary(key: string, summary: IncidentSummary): Promise<void> {
    this.summary.run(JSON.stringify(summary), key);
  }
}
