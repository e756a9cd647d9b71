import crypto from "node:crypto";
import type { Principal } from "#shared/access.ts";
import { HotdocError } from "../errors.ts";
import { secretsEqual } from "../secrets.ts";
import type { SessionRecord } from "../storage/records.ts";
import type { Stores } from "../storage/stores.ts";

/** Who a new session is for: a person the identity provider signed in, or the holder of a personal link. */
export type SessionSubject = Pick<
  SessionRecord,
  "subject" | "name" | "email" | "role" | "scope" | "tokenId" | "via"
> & {
  /** When the link the session stands on expires (epoch ms): a session never outlives it. */
  tokenExpiresAt?: number;
};

const sha256 = (value: string) => crypto.createHash("sha256").update(value).digest("hex");
const random = () => crypto.randomBytes(32).toString("base64url");
/** `<id>.<secret>`: the id finds the record, the secret (stored only as its hash) proves it. */
const COOKIE_VALUE = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/**
 * Browser sessions: what an HttpOnly cookie stands for. A session is stored (so it can
 * be listed, revoked and checked by every process) and carries its own CSRF value,
 * which cookie-authenticated requests and websockets must echo.
 */
export class SessionService {
  private readonly stores: Pick<Stores, "sessions" | "tokens">;
  private readonly lifetimeMs: number;

  constructor(options: { stores: Pick<Stores, "sessions" | "tokens">; lifetimeMs: number }) {
    this.stores = options.stores;
    this.lifetimeMs = options.lifetimeMs;
  }

  /** Opens a session; returns the cookie's value and the record. */
  async create(
    who: SessionSubject,
    now: number = Date.now(),
  ): Promise<{ cookie: string; record: SessionRecord }> {
    const secret = random();
    const record: SessionRecord = {
      id: crypto.randomUUID(),
      secretHash: sha256(secret),
      subject: who.subject,
      name: who.name,
      email: who.email,
      role: who.role,
      scope: who.scope,
      tokenId: who.tokenId,
      via: who.via,
      csrf: random(),
      createdAt: now,
      expiresAt: Math.min(now + this.lifetimeMs, who.tokenExpiresAt ?? Number.POSITIVE_INFINITY),
      revokedAt: null,
    };
    await this.stores.sessions.saveSession(record);
    return { cookie: `${record.id}.${secret}`, record };
  }

  /**
   * The principal a session cookie stands for, and the CSRF value its requests must echo;
   * throws session_invalid, session_expired or session_revoked.
   */
  async verify(
    cookie: string,
    now: number = Date.now(),
  ): Promise<{ principal: Principal; csrf: string }> {
    const match = COOKIE_VALUE.exec(cookie);
    const record = match ? await this.stores.sessions.findSession(match[1]) : null;
    if (!match || !record || !secretsEqual(sha256(match[2]), record.secretHash))
      throw new HotdocError("session_invalid", "the session is not valid; sign in again");
    if (record.revokedAt !== null)
      throw new HotdocError("session_revoked", "the session has ended; sign in again");
    if (record.expiresAt <= now)
      throw new HotdocError("session_expired", "the session has expired; sign in again");
    if (
      record.tokenId !== null &&
      (await this.stores.tokens.accessTokenStatus(record.tokenId)) !== "active"
    )
      throw new HotdocError("session_revoked", "the link this session came from has been revoked");
    const principal: Principal = {
      subject: record.subject,
      name: record.name,
      role: record.role,
      scope: record.scope,
      sessionId: record.id,
      expiresAt: record.expiresAt,
      ...(record.tokenId !== null ? { tokenId: record.tokenId } : {}),
      ...(record.email !== null ? { email: record.email } : {}),
    };
    return { principal, csrf: record.csrf };
  }

  async revoke(id: string): Promise<boolean> {
    return this.stores.sessions.revokeSession(id);
  }

  list(now: number = Date.now()): Promise<SessionRecord[]> {
    return this.stores.sessions.listSessions(now);
  }
}
