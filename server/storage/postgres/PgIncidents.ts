import type { IncidentSummary } from "#shared/doc/index.ts";
import type { StoredIncident } from "../records.ts";
import { type IncidentRow, incidentFromRow } from "../rows.ts";
import type { IncidentRegistry } from "../stores.ts";
import { PoolStore } from "./pgPool.ts";

/** The incident registry on PostgreSQL: keys from a counter row, shared by every process. */
export class PgIncidents extends PoolStore implements IncidentRegistry {
  async createIncident(prefix: string, createdAt: number = Date.now()): Promise<string> {
    // One statement, so one transaction: the counter row's lock serialises concurrent
    // callers in every process, and a key is never taken without its incident row.
    const { rows } = await this.pool.query<{ key: string }>(
      `WITH next AS (
         INSERT INTO counters (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
         RETURNING value
       )
       INSERT INTO incidents (key, created_at) SELECT $1::text || '-' || value, $2 FROM next
       RETURNING key`,
      [prefix, createdAt],
    );
    return rows[0].key;
  }

  incidentExists(key: string): Promise<boolean> {
    return this.anyRow("SELECT 1 FROM incidents WHERE key = $1", [key]);
  }

  async listIncidents(): Promise<StoredIncident[]> {
    // The last activity is the newest row of the update log, or of the checkpoints once
    // pruning has folded the updates into one (a checkpoint carries the time of the
    // newest update it covers): index seeks per incident, nothing written per update.
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT key, created_at, summary, greatest(created_at,
         coalesce((SELECT u.at FROM updates u WHERE u.doc = i.key ORDER BY u.id DESC LIMIT 1), 0),
         coalesce((SELECT c.at FROM checkpoints c WHERE c.doc = i.key ORDER BY c.seq DESC LIMIT 1), 0)
       ) AS last_activity
       FROM incidents i ORDER BY created_at DESC, key COLLATE "C" DESC`,
    );
    return rows.map(incidentFromRow);
  }

  async saveSummary(key: string, summary: IncidentSummary): Promise<void> {
    await this.pool.query("UPDATE incidents SET summary = $1 WHERE key = $2", [
      JSON.stringify(summary),
      key,
    ]);
  }
}
