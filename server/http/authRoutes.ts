import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { PersonName, type Principal } from "#shared/access.ts";
import { tokenFromLink } from "#shared/accessLink.ts";
import {
  assertFromOurPage,
  assertSameOrigin,
  CSRF_HEADER,
  ownOrigins,
  sessionCookieFrom,
  sessionCookieName,
} from "../access/browserSession.ts";
import type { OidcSignIn } from "../access/OidcSignIn.ts";
import type { RateLimits } from "../access/RateLimits.ts";
import type { Revocations } from "../access/revokeConnections.ts";
import type { SessionService, SessionSubject } from "../access/SessionService.ts";
import type { TokenService } from "../access/TokenService.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { PeopleDirectory } from "../storage/stores.ts";
import { meOf } from "./accessRoutes.ts";
import { readJson } from "./body.ts";
import type { HttpEnv } from "./env.ts";

/**
 * The short-lived cookie that carries a sign-in from /auth/login to /auth/callback; over
 * https `__Host-`, so no sibling subdomain can plant one of its own.
 */
const oidcCookieName = (secure: boolean) => (secure ? "__Host-hotdoc_oidc" : "hotdoc_oidc");
const OIDC_COOKIE_SECONDS = 10 * 60;

const LinkExchange = z
  .object({
    token: z.string().trim().min(1).max(4096),
    name: PersonName.optional(),
  })
  .strict();

/**
 * Signing in and out. `/auth/login` and `/auth/callback` are the identity provider's
 * authorization-code flow (when one is configured); `/auth/link` turns an access link
 * into a browser session, asking a shared link's holder for their name first;
 * `/auth/logout` ends the session and closes its live connections. A browser keeps only
 * an HttpOnly cookie: no token is ever handed to the page's scripts to store.
 */
export function authRoutes(options: {
  oidc: OidcSignIn | null;
  providerName: string | null;
  sessions: SessionService;
  tokens: TokenService;
  store: PeopleDirectory;
  revocations: Revocations;
  limits: RateLimits;
  publicUrl: () => string;
  secureCookies: boolean;
  logger: Logger;
}): Hono<HttpEnv> {
  const { oidc, sessions, tokens, store, revocations, limits, publicUrl, secureCookies, logger } =
    options;
  const cookieName = sessionCookieName(secureCookies);
  const app = new Hono<HttpEnv>();

  const setSession = (c: Context<HttpEnv>, value: string, expiresAt: number) => {
    setCookie(c, cookieName, value, {
      httpOnly: true,
      secure: secureCookies,
      sameSite: "Lax",
      path: "/",
      maxAge: Math.max(1, Math.floor((expiresAt - Date.now()) / 1000)),
    });
  };
  // The name already carries `__Host-` over https; its rules (Secure, Path=/, no Domain) are met here.
  const clearSession = (c: Context<HttpEnv>) =>
    deleteCookie(c, cookieName, { path: "/", secure: secureCookies });
  /** The session this browser already holds, if it is still good (ended when another replaces it). */
  const currentSession = async (c: Context<HttpEnv>) => {
    const cookie = sessionCookieFrom(c.req.header("cookie"), secureCookies);
    if (!cookie) return null;
    try {
      return await sessions.verify(cookie);
    } catch {
      return null;
    }
  };
  const endSession = async (id: string, why: string) => {
    await sessions.revoke(id);
    const closed = await revocations.sessionEnded(id);
    logger.info({ session: id, closedConnections: closed }, why);
  };

  /** A new session for this browser, ending the one it held (no two identities in one browser). */
  const openSession = async (c: Context<HttpEnv>, who: SessionSubject) => {
    const previous = await currentSession(c);
    if (previous) await endSession(previous.principal.sessionId as string, "session replaced");
    const { cookie, record } = await sessions.create(who);
    setSession(c, cookie, record.expiresAt);
    return record;
  };

  app.get("/config", (c) =>
    c.json({ oidc: oidc && options.providerName ? { name: options.providerName } : null }),
  );

  app.get("/login", async (c) => {
    if (!oidc) throw new HotdocError("oidc_disabled", "no identity provider is configured");
    const { url, cookie } = await oidc.begin(c.req.query("next") ?? "/");
    setCookie(c, oidcCookieName(secureCookies), cookie, {
      httpOnly: true,
      secure: secureCookies,
      // The provider sends the browser back with a top-level GET from its own site: Lax lets
      // this cookie ride along on exactly that.
      sameSite: "Lax",
      path: "/",
      maxAge: OIDC_COOKIE_SECONDS,
    });
    return c.redirect(url, 302);
  });

  app.get("/callback", async (c) => {
    if (!oidc) throw new HotdocError("oidc_disabled", "no identity provider is configured");
    const flow = getCookie(c, oidcCookieName(secureCookies));
    // One use: whatever happens next, this sign-in's state, nonce and verifier are gone.
    deleteCookie(c, oidcCookieName(secureCookies), { path: "/", secure: secureCookies });
    const callbackUrl = new URL(c.req.url);
    const external = new URL(`${publicUrl()}/auth/callback`);
    external.search = callbackUrl.search;
    const { person, next } = await oidc.finish(external, flow);
    if (person.email)
      await store.savePerson({
        subject: person.subject,
        name: person.name,
        email: person.email,
        updatedAt: Date.now(),
      });
    const record = await openSession(c, {
      subject: person.subject,
      name: person.name,
      email: person.email,
      role: person.role,
      scope: "*",
      tokenId: null,
      via: "oidc",
    });
    logger.info({ who: person.subject, role: person.role, session: record.id }, "signed in");
    return c.redirect(next, 302);
  });

  app.post("/link", async (c) => {
    const ip = c.get("clientIp");
    assertSameOrigin(c.req.raw.headers, ownOrigins(publicUrl(), c.req.header("host")));
    // JSON only: a form on another site cannot send it without a CORS preflight we never answer.
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
      throw new HotdocError("invalid_payload", "send the link as application/json");
    const request = await readJson(c, LinkExchange);
    const token = tokenFromLink(request.token);
    if (!token)
      throw new HotdocError("token_invalid", "that is neither a token nor a link with one");
    let principal: Principal;
    try {
      principal = await tokens.verify(token);
    } catch (error) {
      await limits.assertNotBlocked(ip);
      await limits.authFailed(ip);
      throw error;
    }
    // With an identity provider, people sign in with it; the admin token is for the API.
    if (oidc && principal.shared && principal.role === "admin")
      throw new HotdocError(
        "forbidden",
        `sign in with ${options.providerName ?? "the identity provider"}; the admin token is for the API and the CLI`,
      );
    let personalLink: string | undefined;
    let holder = principal;
    if (principal.shared) {
      if (!request.name)
        throw new HotdocError(
          "name_required",
          "this link is shared by several people: say who you are to get your own",
          "name",
        );
      // Each shared link mints at most its token budget of personal links a minute.
      await limits.consume("token", principal.tokenId ?? principal.subject);
      const minted = await tokens.mintPersonal(principal, request.name);
      const scopePath = minted.record.scope === "*" ? "" : minted.record.scope;
      personalLink = `${publicUrl()}/${scopePath}#token=${minted.token}`;
      holder = {
        subject: `link:${minted.record.id}`,
        name: minted.record.name,
        role: minted.record.role,
        scope: minted.record.scope,
        tokenId: minted.record.id,
        expiresAt: minted.record.expiresAt,
      };
      logger.info(
        { link: minted.record.id, from: principal.tokenId ?? principal.subject },
        "personal link minted from a shared one",
      );
    }
    if (holder.role !== "admin" && holder.role !== "responder" && holder.role !== "viewer")
      throw new HotdocError("forbidden", "this credential cannot open a browser session");
    const record = await openSession(c, {
      subject: holder.subject,
      name: holder.name,
      email: null,
      role: holder.role,
      scope: holder.scope,
      tokenId: holder.tokenId ?? null,
      tokenExpiresAt: holder.expiresAt,
      via: "link",
    });
    const me = meOf({ ...holder, sessionId: record.id, expiresAt: record.expiresAt }, record.csrf);
    return c.json({ me, ...(personalLink ? { personalLink } : {}) });
  });

  app.post("/logout", async (c) => {
    const session = await currentSession(c);
    if (session) {
      assertFromOurPage(c.req.raw.headers, publicUrl(), c.req.header(CSRF_HEADER), session.csrf);
      await endSession(session.principal.sessionId as string, "signed out");
    }
    clearSession(c);
    return c.body(null, 204);
  });

  return app;
}
