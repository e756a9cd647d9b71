import type { MiddlewareHandler } from "hono";
import { bearerToken } from "../access/bearerToken.ts";
import { assertFromOurPage, CSRF_HEADER, sessionCookieFrom } from "../access/browserSession.ts";
import type { RateLimits } from "../access/RateLimits.ts";
import type { SessionService } from "../access/SessionService.ts";
import type { TokenVerifier } from "../access/TokenService.ts";
import { HotdocError } from "../errors.ts";
import type { HttpEnv } from "./env.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Who is calling the API: `Authorization: Bearer <token>` (the CLI, scripts, the API),
 * or a browser's session cookie. A request on the cookie that changes anything must come
 * from our own pages: it echoes the session's CSRF value in `x-csrf-token` (a form or a
 * page of another site cannot set that header) and, when it says where it comes from,
 * comes from our origin. A token that verifies is always served (within its own budget);
 * an address that keeps presenting bad ones gets 429 instead of 401 for a while, so
 * guessing gains nothing, while colleagues behind the same address are never locked out.
 */
export function bearerAuth(
  verify: TokenVerifier,
  limits: RateLimits,
  browser: { sessions: SessionService; secureCookies: boolean; publicUrl: () => string },
): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const ip = c.get("clientIp");
    const token = bearerToken(c.req.header("authorization"));
    const cookie =
      token === undefined
        ? sessionCookieFrom(c.req.header("cookie"), browser.secureCookies)
        : undefined;
    if (token === undefined && cookie === undefined) {
      await limits.assertNotBlocked(ip);
      throw new HotdocError("unauthenticated", "sign in, or send Authorization: Bearer <token>");
    }
    let principal: Awaited<ReturnType<TokenVerifier>>;
    try {
      if (token !== undefined) principal = await verify(token);
      else {
        const session = await browser.sessions.verify(cookie as string);
        principal = session.principal;
        if (!SAFE_METHODS.has(c.req.method)) {
          assertFromOurPage(
            c.req.raw.headers,
            browser.publicUrl(),
            c.req.header(CSRF_HEADER),
            session.csrf,
          );
        }
        c.set("csrf", session.csrf);
      }
    } catch (error) {
      if (error instanceof HotdocError && error.code === "csrf_refused") throw error;
      await limits.assertNotBlocked(ip);
      await limits.authFailed(ip);
      throw error;
    }
    await limits.consume("token", principal.tokenId ?? principal.sessionId ?? principal.subject);
    c.set("principal", principal);
    await next();
  };
}
