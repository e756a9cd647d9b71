import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AccessTokenRecord } from "../records.ts";
import {
  type TokenRow,
  type TokenStatusRow,
  tokenFromRow,
  tokenStatus,
  tokenValues,
} from "../rows.ts";
import type { AccessTokenStore } from "../stores.ts";
import { prepareAll } from "./prepare.ts";

/** Minted tokens in SQLite (the access_tokens table). */
export class SqliteTokens implements AccessTokenStore {
  private readonly s: Record<
    "save" | "children" | "list" | "listInScope" | "revoke" | "status",
    StatementSync
  >;

  constructor(db: DatabaseSync) {
    this.s = prepareAll(db, {
      save: "INSERT INTO access_tokens (id, role, name, scope, created_at, expires_at, created_by, revoked_at, shared, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      children: "SELECT id FROM access_tokens WHERE parent = ? ORDER BY created_at, id",
      list: "SELECT * FROM access_tokens ORDER BY created_at DESC, id",
      listInScope: "SELECT * FROM access_tokens WHERE scope = ? ORDER BY created_at DESC, id",
      revoke:
        "UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? OR parent = ?",
      // A personal link stands only while the shared link it was minted from does (even one
      // minted in the instant that link was being revoked).
      status: `SELECT t.revoked_at, p.revoked_at AS parent_revoked_at FROM access_tokens t
         LEFT JOIN access_tokens p ON p.id = t.parent WHERE t.id = ?`,
    });
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    this.s.save.run(...tokenValues(token, token.shared ? 1 : 0));
  }

  async listAccessTokens(scope?: string): Promise<AccessTokenRecord[]> {
    const rows = (scope === undefined
      ? this.s.list.all()
      : this.s.listInScope.all(scope)) as unknown as TokenRow[];
    return rows.map(tokenFromRow);
  }

  async revokeAccessToken(id: string, at: number = Date.now()): Promise<boolean> {
    return Number(this.s.revoke.run(at, id, id).changes) > 0;
  }

  async childTokens(id: string): Promise<string[]> {
    return (this.s.children.all(id) as { id: string }[]).map((r) => r.id);
  }

  async accessTokenStatus(id: string): Promise<"active" | "revoked" | "unknown"> {
    return tokenStatus(this.s.status.get(id) as TokenStatusRow | undefined);
  }
}
