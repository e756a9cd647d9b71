import crypto from "node:crypto";
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { type Principal, TOKEN_ROLES, type TokenRole } from "#shared/access.ts";
import { HotdocError } from "../errors.ts";
import { secretsEqual } from "../secrets.ts";
import type { AccessTokenRecord } from "../storage/records.ts";
import type { AccessTokenStore, SharedSettings } from "../storage/stores.ts";

const ISSUER = "hotdoc";

const Claims = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number(),
  name: z.string().min(1).max(200),
  role: z.enum(TOKEN_ROLES),
  scope: z.string().min(1),
  shared: z.boolean().optional(),
});

export interface MintOptions {
  role: TokenRole;
  /** Incident key or "*". */
  scope: string;
  name: string;
  expiresInSeconds: number;
  createdBy: string;
  subject?: string;
  /** Held by several people (a team link): a browser opening it asks who is using it. */
  shared?: boolean;
  /** The shared token a personal link is minted from. */
  parent?: string;
}

export interface MintedToken {
  token: string;
  record: AccessTokenRecord;
}

/** Turns a presented token into a principal, or throws a typed HotdocError (every door verifies through one). */
export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * The bootstrap admin token: whoever runs the server. A browser opening it is asked for a
 * name and given a personal link, so no person's work is ever written as this principal;
 * what the API and the CLI do with it is the operator's.
 */
const ADMIN: Principal = {
  subject: "admin",
  name: "Operator",
  role: "admin",
  scope: "*",
  shared: true,
};

/** How long a personal link minted from the admin bootstrap token lasts. */
const PERSONAL_FROM_ADMIN_SECONDS = 90 * 86_400;

/**
 * Signed, expiring, revocable tokens (JWT HS256 via `jose`, chosen because it is
 * the maintained, dependency-free JWT library for Node and browsers). Every minted
 * token is recorded in the store; verification checks signature, expiry and the
 * revocation list. The bootstrap admin token is a plain secret compared in constant time.
 */
export class TokenService {
  private readonly secret: Uint8Array;
  private readonly adminToken: string;
  private readonly store: AccessTokenStore;

  /**
   * The record that stands for the current admin token in the store, so that the personal
   * links minted from it are its children: `admin:` and a fingerprint of the token.
   */
  private readonly adminRecordId: string;

  constructor(options: { secret: Uint8Array; adminToken: string; store: AccessTokenStore }) {
    this.secret = options.secret;
    this.adminToken = options.adminToken;
    this.store = options.store;
    const fingerprint = crypto.createHash("sha256").update(options.adminToken).digest("hex");
    this.adminRecordId = `admin:${fingerprint.slice(0, 24)}`;
  }

  /**
   * Run once at start: records the current admin token (never the token itself, only its
   * fingerprint) and revokes every earlier one, so that rotating ADMIN_TOKEN also ends
   * every personal link minted from the old one, and the sessions on them.
   */
  async retireEarlierAdminTokens(now: number = Date.now()): Promise<number> {
    const recorded = (await this.store.listAccessTokens("*")).filter((t) =>
      t.id.startsWith("admin:"),
    );
    let retired = 0;
    for (const record of recorded) {
      if (record.id === this.adminRecordId || record.revokedAt !== null) continue;
      await this.store.revokeAccessToken(record.id, now);
      retired++;
    }
    if (!recorded.some((t) => t.id === this.adminRecordId)) {
      try {
        await this.store.saveAccessToken({
          id: this.adminRecordId,
          role: "admin",
          name: "admin bootstrap token",
          scope: "*",
          createdAt: now,
          // It lasts as long as the token is ADMIN_TOKEN; a date, so every listing can show it.
          expiresAt: Date.UTC(9999, 11, 31),
          createdBy: "hotdoc",
          revokedAt: null,
          shared: true,
          parent: null,
        });
      } catch (error) {
        // Processes sharing a store start together: another may have recorded it first.
        const again = await this.store.listAccessTokens("*");
        if (!again.some((t) => t.id === this.adminRecordId)) throw error;
      }
    }
    return retired;
  }

  async mint(options: MintOptions, now: number = Date.now()): Promise<MintedToken> {
    const id = crypto.randomUUID();
    // Whatever the admin token mints ends with it: rotating a leaked ADMIN_TOKEN leaves no
    // token it made behind.
    const parent =
      options.parent ?? (options.createdBy === ADMIN.subject ? this.adminRecordId : undefined);
    const expiresAt = now + options.expiresInSeconds * 1000;
    const subject = options.subject ?? `link:${id}`;
    const token = await new SignJWT({
      name: options.name,
      role: options.role,
      scope: options.scope,
      ...(options.shared ? { shared: true } : {}),
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setJti(id)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.secret);
    const record: AccessTokenRecord = {
      id,
      role: options.role,
      name: options.name,
      scope: options.scope,
      createdAt: now,
      expiresAt,
      createdBy: options.createdBy,
      revokedAt: null,
      shared: options.shared === true,
      parent: parent ?? null,
    };
    await this.store.saveAccessToken(record);
    return { token, record };
  }

  /**
   * The team link `npm start` prints (links-only mode): a shared responder link for every
   * incident, so the admin token itself never travels in a URL. The stored one is used
   * again while it is good for another 30 days; otherwise a new one is minted (a child of
   * the admin token's record, so rotating the admin token revokes it and every personal
   * link minted from it).
   */
  async bootstrapLink(
    stored: string | null,
    now: number = Date.now(),
  ): Promise<{ token: string; minted: boolean }> {
    if (stored) {
      try {
        const principal = await this.verify(stored);
        const left = (principal.expiresAt ?? 0) - now;
        if (principal.shared && principal.role === "responder" && left > 30 * 86_400_000)
          return { token: stored, minted: false };
      } catch {
        // Revoked, expired or signed with another secret: mint a new one.
      }
    }
    const { token } = await this.mint(
      {
        role: "responder",
        scope: "*",
        name: "Team",
        expiresInSeconds: 365 * 86_400,
        createdBy: ADMIN.subject,
        shared: true,
      },
      now,
    );
    return { token, minted: true };
  }

  /**
   * The team link when several processes share the store: the one stored in `settings`
   * for this period, so every process prints and accepts the same link. Each process
   * proposes a fresh link and the first stored wins (the others' are revoked at once). A
   * link is kept for a period of 300 days; minted for 365, it is always good for 30 more
   * days while it is the current one. A team link an admin revoked is followed by another.
   */
  async clusterBootstrapLink(
    settings: SharedSettings,
    now: number = Date.now(),
  ): Promise<{ token: string; minted: boolean }> {
    let name = `team-link:${Math.floor(now / (300 * 86_400_000))}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const mine = await this.bootstrapLink(null, now);
      const stored = await settings.claimSetting(name, mine.token);
      if (stored === mine.token) return { token: stored, minted: true };
      await this.store.revokeAccessToken(jtiOf(mine.token), now);
      try {
        await this.verify(stored);
        return { token: stored, minted: false };
      } catch {
        name = `${name}>${jtiOf(stored)}`;
      }
    }
    // A chain of revoked team links this long is someone's doing: start with a link of
    // this process's own rather than refuse to start (the others print theirs).
    return this.bootstrapLink(null, now);
  }

  /**
   * A personal link for one person who opened a shared credential: from the admin
   * bootstrap token, a responder link for every incident; from a team link, a link of its
   * role and scope that ends with it (and is revoked with it).
   */
  async mintPersonal(
    from: Principal,
    name: string,
    now: number = Date.now(),
  ): Promise<MintedToken> {
    if (!from.shared) throw new HotdocError("forbidden", "only a shared link mints personal links");
    if (from.subject === ADMIN.subject && from.tokenId === undefined)
      return this.mint(
        {
          role: "responder",
          scope: "*",
          name,
          expiresInSeconds: PERSONAL_FROM_ADMIN_SECONDS,
          createdBy: ADMIN.subject,
          parent: this.adminRecordId,
        },
        now,
      );
    if (from.role === "bridge" || from.role === "system" || from.tokenId === undefined)
      throw new HotdocError("forbidden", "this credential cannot mint personal links");
    const seconds = Math.floor(((from.expiresAt ?? now) - now) / 1000);
    if (seconds < 60) throw new HotdocError("token_expired", "the shared link is about to expire");
    return this.mint(
      {
        role: from.role,
        scope: from.scope,
        name,
        expiresInSeconds: seconds,
        createdBy: from.subject,
        parent: from.tokenId,
      },
      now,
    );
  }

  /** The principal a token stands for; throws token_invalid, token_expired or token_revoked. */
  async verify(token: string): Promise<Principal> {
    if (secretsEqual(token, this.adminToken)) return ADMIN;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.secret, {
        issuer: ISSUER,
        algorithms: ["HS256"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new HotdocError("token_expired", "the token has expired");
      throw new HotdocError("token_invalid", "the token is not valid");
    }
    // Tokens of role `bridge` were once mintable but could only ever read; chat deliveries
    // are proven by the platform's secret, so the role is no longer carried by any token.
    if ((payload as { role?: unknown }).role === "bridge")
      throw new HotdocError(
        "token_invalid",
        "bridge tokens are no longer accepted; mint a viewer token to read incidents",
      );
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new HotdocError("token_invalid", "the token's claims are not valid");
    const status = await this.store.accessTokenStatus(claims.data.jti);
    if (status === "revoked") throw new HotdocError("token_revoked", "the token has been revoked");
    if (status === "unknown")
      throw new HotdocError("token_invalid", "the token was not issued by this server");
    return {
      subject: claims.data.sub,
      name: claims.data.name,
      role: claims.data.role,
      scope: claims.data.scope,
      tokenId: claims.data.jti,
      expiresAt: claims.data.exp * 1000,
      ...(claims.data.shared ? { shared: true } : {}),
    };
  }

  async revoke(id: string): Promise<boolean> {
    return this.store.revokeAccessToken(id);
  }
}

/** A token's id (`jti`), read without checking it: for tokens this service minted or stored. */
function jtiOf(token: string): string {
  const jti = decodeJwt(token).jti;
  if (!jti) throw new Error("token without an id");
  return jti;
}
