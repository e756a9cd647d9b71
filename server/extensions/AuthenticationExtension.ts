import type {
  Connection,
  connectedPayload,
  Extension,
  onAuthenticatePayload,
} from "@hocuspocus/server";
import { can, type Principal } from "#shared/access.ts";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import {
  assertFromOurPage,
  SESSION_TOKEN_PREFIX,
  sessionCookieFrom,
} from "../access/browserSession.ts";
import type { HotdocContext } from "../access/origins.ts";
import type { RateLimits } from "../access/RateLimits.ts";
import type { SessionService } from "../access/SessionService.ts";
import type { TokenVerifier } from "../access/TokenService.ts";
import { closeReason, HotdocError, toHotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Stores } from "../storage/stores.ts";

/**
 * The door check for every collaboration connection (/collab and /yjs/:key): a
 * valid token that the policy lets read this incident, for an incident that exists;
 * read-only unless the policy lets it edit. A refusal reaches the client as a typed
 * reason from shared/closeReasons.ts and is logged here.
 */
export class AuthenticationExtension implements Extension {
  extensionName = "AuthenticationExtension";
  priority = 1000;

  private readonly verify: TokenVerifier;
  private readonly sessions: SessionService;
  private readonly secureCookies: boolean;
  private readonly publicUrl: () => string;
  private readonly stores: Pick<Stores, "incidents" | "sessions" | "tokens">;
  private readonly logger: Logger;
  private readonly limits: RateLimits;
  private readonly authenticated: (connection: Connection) => void;

  constructor(options: {
    verify: TokenVerifier;
    /** Browser sessions: a page's provider sends `session:<csrf>` and the upgrade carries the cookie. */
    sessions: SessionService;
    secureCookies: boolean;
    publicUrl: () => string;
    stores: Pick<Stores, "incidents" | "sessions" | "tokens">;
    logger: Logger;
    limits: RateLimits;
    /** Tells the door that this connection's socket has authenticated a document (its deadline to do so is met). */
    authenticated: (connection: Connection) => void;
  }) {
    this.verify = options.verify;
    this.sessions = options.sessions;
    this.secureCookies = options.secureCookies;
    this.publicUrl = options.publicUrl;
    this.stores = options.stores;
    this.logger = options.logger;
    this.limits = options.limits;
    this.authenticated = options.authenticated;
  }

  async onAuthenticate({
    token,
    documentName,
    socketId,
    connectionConfig,
    requestHeaders,
  }: onAuthenticatePayload<HotdocContext>): Promise<HotdocContext> {
    const ip = requestHeaders.get("x-real-ip") ?? "unknown";
    try {
      if (!token) throw new HotdocError("unauthenticated", "no token given");
      let principal: Principal;
      try {
        principal = token.startsWith(SESSION_TOKEN_PREFIX)
          ? await this.sessionPrincipal(token.slice(SESSION_TOKEN_PREFIX.length), requestHeaders)
          : await this.verify(token);
      } catch (error) {
        // A token that verifies is never refused for its address's failures; a bad one
        // from an address that keeps failing is refused as rate-limited.
        await this.limits.assertNotBlocked(ip);
        await this.limits.authFailed(ip);
        throw error;
      }
      if (!can(principal, "read", documentName)) {
        throw new HotdocError(
          "forbidden",
          `a ${principal.role} token for ${principal.scope} cannot open ${documentName}`,
        );
      }
      if (!(await this.stores.incidents.incidentExists(documentName))) {
        throw new HotdocError("incident_not_found", `no incident ${documentName}`);
      }
      // Hocuspocus refuses every sync update and sync step 2 with changes from a
      // read-only connection; the policy decides who is read-only.
      connectionConfig.readOnly = !can(principal, "edit", documentName);
      return { principal };
    } catch (error) {
      const refusal = toHotdocError(error);
      const reason = closeReason(refusal);
      this.logger.warn(
        { incident: documentName, socketId, ip, code: refusal.code, reason: reason.reason },
        `collaboration connection refused: ${refusal.message}`,
      );
      // A plain object (no `message`): Hocuspocus sends `reason` to the client as the
      // permission-denied reason without printing its own console line.
      throw { reason: reason.reason, code: reason.code };
    }
  }

  /**
   * A browser's connection: the session in the upgrade's cookie, opened by one of our own
   * pages (its origin, and the session's CSRF value as the token, which a page of another
   * site cannot know), so a cookie riding along on another site's websocket gets nothing.
   */
  private async sessionPrincipal(csrf: string, headers: Headers): Promise<Principal> {
    const cookie = sessionCookieFrom(headers.get("cookie"), this.secureCookies);
    if (!cookie)
      throw new HotdocError("session_invalid", "no session cookie came with the connection");
    const session = await this.sessions.verify(cookie);
    assertFromOurPage(headers, this.publicUrl(), csrf, session.csrf);
    return session.principal;
  }

  /**
   * A connection lives no longer than its token: it is closed with token-expired when the
   * token expires. A token revoked while this connection was being authenticated (after
   * its check, before the revocation could find the connection) is caught here.
   */
  async connected({
    connection,
    context,
    documentName,
  }: connectedPayload<HotdocContext>): Promise<void> {
    this.authenticated(connection);
    const tokenId = context.principal?.tokenId;
    const sessionId = context.principal?.sessionId;
    const sessionEnded =
      sessionId !== undefined &&
      (await this.stores.sessions.findSession(sessionId))?.revokedAt != null;
    if (sessionEnded) {
      const { code, reason } = CLOSE_REASONS.session_ended;
      this.logger.info(
        { incident: documentName, who: context.principal?.subject },
        "connection closed: its session ended while it connected",
      );
      connection.close({ code, reason });
      connection.webSocket.close(code, reason);
      return;
    }
    if (
      tokenId !== undefined &&
      (await this.stores.tokens.accessTokenStatus(tokenId)) === "revoked"
    ) {
      const { code, reason } = CLOSE_REASONS.token_revoked;
      this.logger.info(
        { incident: documentName, who: context.principal?.subject },
        "connection closed: its token was revoked while it connected",
      );
      connection.close({ code, reason });
      connection.webSocket.close(code, reason);
      return;
    }
    const expiresAt = context.principal?.expiresAt;
    if (expiresAt === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const left = expiresAt - Date.now();
      if (left > 0) {
        // setTimeout cannot wait longer than about 24.8 days; re-arm until the end.
        timer = setTimeout(check, Math.min(left, 2 ** 31 - 1));
        timer.unref();
        return;
      }
      const { code, reason } =
        sessionId !== undefined ? CLOSE_REASONS.session_ended : CLOSE_REASONS.token_expired;
      this.logger.info(
        { incident: documentName, who: context.principal?.subject },
        sessionId !== undefined
          ? "connection closed: its session expired"
          : "connection closed: its token expired",
      );
      connection.close({ code, reason });
      connection.webSocket.close(code, reason);
    };
    check();
    connection.onClose(() => clearTimeout(timer));
  }
}
