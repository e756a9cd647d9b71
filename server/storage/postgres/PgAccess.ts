import type { AccessTokenRecord, PersonRecord, SessionRecord } from "../records.ts";
import {
  type PersonRow,
  personFromRow,
  type SessionRow,
  sessionFromRow,
  sessionValues,
  type TokenRow,
  type TokenStatusRow,
  tokenFromRow,
  tokenStatus,
  tokenValues,
} from "../rows.ts";
import type { AccessTokenStore, PeopleDirectory, SessionStore } from "../stores.ts";
import { PoolStore } from "./pgPool.ts";

/** Minted tokens on PostgreSQL. */
export class PgAccessTokens extends PoolStore implements AccessTokenStore {
  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO access_tokens (id, role, name, scope, created_at, expires_at, created_by, revoked_at, shared, parent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      tokenValues(token, token.shared),
    );
  }

  async listAccessTokens(scope?: string): Promise<AccessTokenRecord[]> {
    const where = scope === undefined ? "" : "WHERE scope = $1";
    const { rows } = await this.pool.query<TokenRow>(
      `SELECT * FROM access_tokens ${where} ORDER BY created_at DESC, id COLLATE "C"`,
      scope === undefined ? [] : [scope],
    );
    return rows.map(tokenFromRow);
  }

  revokeAccessToken(id: string, at: number = Date.now()): Promise<boolean> {
    return this.anyRow(
      "UPDATE access_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 OR parent = $2",
      [at, id],
    );
  }

  async childTokens(id: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM access_tokens WHERE parent = $1 ORDER BY created_at, id COLLATE "C"`,
      [id],
    );
    return rows.map((r) => r.id);
  }

  async accessTokenStatus(id: string): Promise<"active" | "revoked" | "unknown"> {
    // A personal link stands only while the shared link it was minted from does (even one
    // minted in the instant that link was being revoked).
    const { rows } = await this.pool.query<TokenStatusRow>(
      `SELECT t.revoked_at, p.revoked_at AS parent_revoked_at FROM access_tokens t
       LEFT JOIN access_tokens p ON p.id = t.parent WHERE t.id = $1`,
      [id],
    );
    return tokenStatus(rows[0]);
  }
}

/** Browser sessions on PostgreSQL. */
export class PgSessions extends PoolStore implements SessionStore {
  async saveSession(session: SessionRecord): Promise<void> {
    // Expired sessions are of no use to anyone: each sign-in clears those gone a day ago.
    await this.pool.query(
      `WITH pruned AS (DELETE FROM sessions WHERE expires_at < $14)
       INSERT INTO sessions (id, secret_hash, subject, name, email, role, scope, token_id, via, csrf, created_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [...sessionValues(session), session.createdAt - 86_400_000],
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const { rows } = await this.pool.query<SessionRow>("SELECT * FROM sessions WHERE id = $1", [
      id,
    ]);
    return rows[0] ? sessionFromRow(rows[0]) : null;
  }

  revokeSession(id: string, at: number = Date.now()): Promise<boolean> {
    return this.anyRow("UPDATE sessions SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2", [
      at,
      id,
    ]);
  }

  async listSessions(now: number = Date.now()): Promise<SessionRecord[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT * FROM sessions WHERE expires_at > $1 ORDER BY created_at DESC, id COLLATE "C" LIMIT 10000`,
      [now],
    );
    return rows.map(sessionFromRow);
  }
}

/** People who signed in, on PostgreSQL. */
export class PgPeople extends PoolStore implements PeopleDirectory {
  async savePerson(person: PersonRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO people (subject, name, email, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subject) DO UPDATE SET name = excluded.name, email = excluded.email, updated_at = excluded.updated_at`,
      [person.subject, person.name, person.email.toLowerCase(), person.updatedAt],
    );
  }

  async findPersonByEmail(email: string): Promise<PersonRecord | null> {
    const { rows } = await this.pool.query<PersonRow>(
      `SELECT * FROM people WHERE email = $1 ORDER BY updated_at DESC, subject COLLATE "C" LIMIT 1`,
      [email.toLowerCase()],
    );
    return rows[0] ? personFromRow(rows[0]) : null;
  }
}
