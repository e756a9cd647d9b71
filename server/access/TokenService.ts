import crypto from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { type Principal, TOKEN_ROLES, type TokenRole } from "#shared/access.ts";
import { HotdocError } from "../errors.ts";
import { secretsEqual } from "../secrets.ts";
import type { AccessTokenRecord, DocumentStore } from "../storage/DocumentStore.ts";

const ISSUER = "hotdoc";

const Claims = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number(),
  name: z.string().min(1).max(200),
  role: z.enum(TOKEN_ROLES),
  scope: z.string().min(1),
});

export interface MintOptions {
  role: TokenRole;
  /** Incident key or "*". */
  scope: string;
  name: string;
  expiresInSeconds: number;
  createdBy: string;
  subject?: string;
}

export interface MintedToken {
  token: string;
  record: AccessTokenRecord;
}

/** Turns a presented token into a principal, or throws a typed HotdocError (every door verifies through one). */
export type TokenVerifier = (token: string) => Promise<Principal>;

const ADMIN: Principal = { subject: "admin", name: "Admin", role: "admin", scope: "*" };

/**
 * Signed, expiring, revocable tokens (JWT HS256 via `jose`, chosen because it is
 * the maintained, dependency-free JWT library for Node and browsers). Every minted
 * token is recorded in the store; verification checks signature, expiry and the
 * revocation list. The bootstrap admin token is a plain secret compared in constant time.
 */
export class TokenService {
  private readonly secret: Uint8Array;
  private readonly adminToken: string;
  private readonly store: DocumentStore;

  constructor(options: { secret: Uint8Array; adminToken: string; store: DocumentStore }) {
    this.secret = options.secret;
    this.adminToken = options.adminToken;
    this.store = options.store;
  }

  async mint(options: MintOptions, now: number = Date.now()): Promise<MintedToken> {
    const id = crypto.randomUUID();
    const expiresAt = now + options.expiresInSeconds * 1000;
    const subject = options.subject ?? `link:${id}`;
    const token = await new SignJWT({
      name: options.name,
      role: options.role,
      scope: options.scope,
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
    };
    await this.store.saveAccessToken(record);
    return { token, record };
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
    };
  }

  async revoke(id: string): Promise<boolean> {
    return this.store.revokeAccessToken(id);
  }
}
