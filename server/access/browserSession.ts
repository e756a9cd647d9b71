import { parse } from "hono/utils/cookie";
import { HotdocError } from "../errors.ts";
import { secretsEqual } from "../secrets.ts";

/**
 * What a browser's requests carry and how they are checked, shared by the HTTP routes
 * and the websocket door: the session cookie's name, and the same-origin rule a
 * cookie-authenticated request must pass (cookies ride along on requests other sites
 * make; a header they cannot set and an origin they cannot fake are what tell ours apart).
 */

/** Over https the cookie takes the `__Host-` prefix: Secure, whole site, never set by a subdomain. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-hotdoc_session" : "hotdoc_session";
}

/** The session cookie in a `Cookie` header, if any. */
export function sessionCookieFrom(
  header: string | null | undefined,
  secure: boolean,
): string | undefined {
  if (!header) return undefined;
  return parse(header, sessionCookieName(secure))[sessionCookieName(secure)];
}

/** The header a cookie-authenticated request echoes its session's CSRF value in. */
export const CSRF_HEADER = "x-csrf-token";

/** What the websocket's Hocuspocus token is for a browser session: `session:<csrf>`. */
export const SESSION_TOKEN_PREFIX = "session:";

/**
 * Refuses a request that a page of another origin could have made: its `Origin` (when the
 * browser sends one) must be one of ours, and `Sec-Fetch-Site`, when sent, must not say
 * another site or origin made it. Loopback ports and sibling subdomains are the same
 * *site*, so SameSite cookies alone would not stop them.
 */
export function assertSameOrigin(headers: Headers, origins: readonly string[]): void {
  const origin = headers.get("origin");
  if (origin !== null && !origins.includes(origin))
    throw new HotdocError(
      "csrf_refused",
      `requests from ${origin} are not accepted with a session`,
    );
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none")
    throw new HotdocError("csrf_refused", "cross-site requests are not accepted with a session");
}

/** The origins this server answers as: the public URL's, and the one the request names in Host. */
export function ownOrigins(publicUrl: string, host: string | null | undefined): string[] {
  const origins = new Set<string>();
  try {
    origins.add(new URL(publicUrl).origin);
  } catch {
    // No public URL yet (before listening): only Host counts.
  }
  if (host) {
    // Behind a TLS-terminating proxy the public URL names https; without one, http.
    origins.add(`${publicUrl.startsWith("https:") ? "https" : "http"}://${host}`);
  }
  return [...origins];
}

/**
 * The check every cookie-authenticated change passes (REST, sign-out, the websocket): it
 * comes from one of our origins and echoes the session's CSRF value, which only our own
 * page knows. Throws `csrf_refused`.
 */
export function assertFromOurPage(
  headers: Headers,
  publicUrl: string,
  echoed: string | null | undefined,
  csrf: string,
): void {
  assertSameOrigin(headers, ownOrigins(publicUrl, headers.get("host")));
  if (echoed === undefined || echoed === null || !secretsEqual(echoed, csrf))
    throw new HotdocError(
      "csrf_refused",
      `a change with a session must come from a hotdoc page (${CSRF_HEADER})`,
    );
}
