import crypto from "node:crypto";
import { EncryptJWT, errors as joseErrors, jwtDecrypt } from "jose";
import * as client from "openid-client";
import { z } from "zod";
import { PersonName } from "#shared/access.ts";
import type { OidcSettings } from "../config.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** Who the identity provider says signed in, and the role hotdoc gives them. */
export interface SignedInPerson {
  /** `oidc:<sub>`: stable for as long as the provider keeps the subject. */
  subject: string;
  name: string;
  /** Lower-cased; null when the provider gave none or said it is not verified. */
  email: string | null;
  role: "admin" | "responder" | "viewer";
}

/** How long a started sign-in stays valid (the `hotdoc_oidc` cookie's lifetime). */
const PENDING_SECONDS = 10 * 60;

/** Separates this key from every other use of the token secret (HKDF's `info`). */
const COOKIE_KEY_INFO = "hotdoc oidc sign-in cookie v1";

/** What the `hotdoc_oidc` cookie carries between `begin` and `finish`. */
const Pending = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(1),
  next: z.string(),
});

/**
 * Sign-in with the organisation's OpenID Provider: the authorization code flow with
 * PKCE (S256), `state` and `nonce`, and a verified ID token, all through
 * `openid-client`. Between the redirect to the provider and the callback, the
 * per-sign-in secrets travel in a short-lived cookie, encrypted and authenticated
 * (JWE `dir` + `A256GCM`), so the server keeps no state for sign-ins in progress.
 */
export class OidcSignIn {
  private readonly settings: OidcSettings;
  private readonly redirectUri: () => string;
  private readonly key: Uint8Array;
  private readonly logger?: Logger;
  private readonly now: () => number;
  private configuration: Promise<client.Configuration> | null = null;

  constructor(options: {
    settings: OidcSettings;
    /** The callback URL registered at the provider (the lead's `/auth/callback`). */
    redirectUri: () => string;
    /** The server's token secret; the cookie key is derived from it. */
    secret: Uint8Array;
    logger?: Logger;
    /** The clock for the cookie's expiry (epoch ms); tests move it. */
    now?: () => number;
  }) {
    this.settings = options.settings;
    this.redirectUri = options.redirectUri;
    this.key = new Uint8Array(
      crypto.hkdfSync("sha256", options.secret, new Uint8Array(0), COOKIE_KEY_INFO, 32),
    );
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Starts a sign-in: where to send the browser, and the value of the `hotdoc_oidc` cookie. */
  async begin(next: string): Promise<{ url: string; cookie: string }> {
    const config = await this.discover();
    const pending: z.infer<typeof Pending> = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      next: safeNext(next),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: this.settings.scopes,
      response_type: "code",
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    const issuedAt = Math.floor(this.now() / 1000);
    const cookie = await new EncryptJWT(pending)
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + PENDING_SECONDS)
      .encrypt(this.key);
    return { url: url.href, cookie };
  }

  /**
   * Finishes a sign-in from the callback URL and the `hotdoc_oidc` cookie. Throws
   * HotdocError `signin_expired` (the cookie is too old), `signin_refused` (the
   * provider signed the person in, but this hotdoc does not let them in) or
   * `signin_failed` (anything else).
   */
  async finish(
    callbackUrl: URL,
    cookie: string | undefined,
  ): Promise<{ person: SignedInPerson; next: string }> {
    const pending = await this.openCookie(cookie);
    const config = await this.discover();
    // The token request's redirect_uri is the callback URL without its query, so
    // rebuild it on the registered URL: behind a proxy the URL this server saw differs.
    const current = new URL(this.redirectUri());
    current.search = callbackUrl.search;
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken)
        throw new HotdocError("signin_failed", "the identity provider sent no ID token");
      claims = { ...idToken };
      const missing = ["email", "name", this.settings.groupsClaim].some((c) => !(c in idToken));
      if (missing && config.serverMetadata().userinfo_endpoint) {
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        claims = { ...userinfo, ...idToken };
      }
    } catch (error) {
      throw this.failed(error);
    }
    return { person: this.person(claims), next: pending.next };
  }

  /** The person the claims describe, with their role; refuses an email domain not allowed. */
  private person(claims: Record<string, unknown>): SignedInPerson {
    const sub = String(claims.sub);
    const rawEmail = text(claims.email)?.toLowerCase();
    // Only an address the provider says it has verified decides anything or is kept (some
    // providers, Microsoft Entra ID among them, send no email_verified at all: there, make
    // admins by group, and people are matched to chat by CHAT_IDENTITY_MAP).
    const verified = claims.email_verified === true || claims.email_verified === "true";
    const email = rawEmail && verified ? rawEmail : null;
    const { adminEmails, adminGroups, allowedDomains, groupsClaim, defaultRole } = this.settings;
    if (allowedDomains.length > 0) {
      const domain = email?.slice(email.lastIndexOf("@") + 1);
      if (!domain || !allowedDomains.includes(domain))
        throw new HotdocError(
          "signin_refused",
          email
            ? `accounts of ${domain} may not sign in to this hotdoc`
            : "this hotdoc only lets in accounts with a verified email address",
        );
    }
    const rawGroups = claims[groupsClaim];
    const groups = Array.isArray(rawGroups) ? rawGroups : [rawGroups];
    const admin =
      (email !== null && adminEmails.includes(email)) ||
      groups.some((group) => typeof group === "string" && adminGroups.includes(group));
    // The first of the provider's names that reads as what it is (no control or invisible
    // formatting characters, at most 200 characters, cut between whole characters).
    const name =
      [text(claims.name), text(claims.preferred_username), email, sub]
        .map((candidate) =>
          candidate === undefined || candidate === null
            ? undefined
            : [...candidate].slice(0, 200).join(""),
        )
        .find((candidate) => candidate !== undefined && PersonName.safeParse(candidate).success) ??
      `oidc:${sub}`.slice(0, 200);
    return { subject: `oidc:${sub}`, name, email, role: admin ? "admin" : defaultRole };
  }

  /** The pending sign-in in the cookie, or the reason there is none. */
  private async openCookie(cookie: string | undefined): Promise<z.infer<typeof Pending>> {
    if (!cookie)
      throw new HotdocError(
        "signin_failed",
        "this sign-in was not started in this browser (its cookie is missing)",
      );
    try {
      const { payload } = await jwtDecrypt(cookie, this.key, {
        currentDate: new Date(this.now()),
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      return Pending.parse(payload);
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new HotdocError("signin_expired", "this sign-in took too long; start it again");
      throw new HotdocError("signin_failed", "this sign-in's cookie is not valid");
    }
  }

  /** The provider's metadata, discovered once; a failure is not kept, so the next call retries. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const { issuer, clientId, clientSecret } = this.settings;
      const url = new URL(issuer);
      this.configuration = client
        .discovery(url, clientId, clientSecret, undefined, {
          // config.ts allows a plain-http issuer only on loopback (tests).
          execute: url.protocol === "http:" ? [client.allowInsecureRequests] : [],
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.configuration = null;
          this.logger?.warn({ err: summary(error) }, "OIDC discovery failed");
          throw new HotdocError(
            "signin_failed",
            `the identity provider could not be reached: ${summary(error).message}`,
          );
        });
    }
    return this.configuration;
  }

  /** A failed exchange or check as `signin_failed` with a short reason; the detail goes to the log. */
  private failed(error: unknown): HotdocError {
    if (error instanceof HotdocError) return error;
    const detail = summary(error);
    this.logger?.warn({ err: detail }, "OIDC sign-in failed");
    let reason: string;
    if (error instanceof client.AuthorizationResponseError)
      reason = `the identity provider did not sign you in (${error.error})`;
    else if (error instanceof client.ResponseBodyError)
      reason = `the identity provider refused the sign-in (${error.error})`;
    else reason = `the sign-in response did not check out: ${detail.message}`;
    return new HotdocError("signin_failed", reason);
  }
}

/** A same-origin path to return to after sign-in; anything else becomes "/". */
function safeNext(next: string): string {
  // "//host" and "/\host" are other origins to a browser; control characters have no place in a path.
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(next)) return "/";
  return next;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/**
 * What may be said about a library error: its name, code and message, with the message
 * of the error it wraps (openid-client wraps oauth4webapi's, which says which check
 * failed: 'invalid response encountered: unexpected "state" response parameter
 * value'). These messages name checks and parameters, never a token or secret; other
 * causes (response bodies, claims) are left out.
 */
function summary(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error).slice(0, 200) };
  const code = (error as { code?: unknown }).code;
  const inner = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return {
    name: error.name,
    ...(typeof code === "string" ? { code } : {}),
    message: `${error.message}${inner}`.slice(0, 200),
  };
}
