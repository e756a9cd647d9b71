import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { SessionRecord } from "../records.ts";
import { type SessionRow, sessionFromRow, sessionValues } from "../rows.ts";
import type { SessionStore } from "../stores.ts";
import { prepareAll } from "./prepare.ts";

/** Browser sessions in SQLite (the sessions table). */
export class SqliteSessions implements SessionStore {
  private readonly s: Record<"save" | "find" | "revoke" | "list" | "prune", StatementSync>;

  constructor(db: DatabaseSync) {
    this.s = prepareAll(db, {
      save: "INSERT INTO sessions (id, secret_hash, subject, name, email, role, scope, token_id, via, csrf, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      find: "SELECT * FROM sessions WHERE id = ?",
      revoke: "UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
      list: "SELECT * FROM sessions WHERE expires_at > ? ORDER BY created_at DESC, id LIMIT 10000",
      prune: "DELETE FROM sessions WHERE expires_at < ?",
    });
  }

  async saveSession(session: SessionRecord): Promise<void> {
    // Expired sessions are of no use to anyone: each sign-in clears those gone a day ago.
    this.s.prune.run(session.createdAt - 86_400_000);
    this.s.save.run(...sessionValues(session));
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const row = this.s.find.get(id) as SessionRow | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async revokeSession(id: string, at: number = Date.now()): Promise<boolean> {
    return Number(this.s.revoke.run(at, id).changes) > 0;
  }

  async listSessions(now: number = Date.now()): Promise<SessionRecord[]> {
    return (this.s.list.all(now) as unknown as SessionRow[]).map(sessionFromRow);
  }
}
