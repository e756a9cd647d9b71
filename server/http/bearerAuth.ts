import type { MiddlewareHandler } from "hono";
import type { RateLimits } from "../access/RateLimits.ts";
import { HotdocError } from "../errors.ts";
import type { TokenVerifier } from "../extensions/AuthenticationExtension.ts";
import type { HttpEnv } from "./env.ts";

/**
 * Requires `Authorization: Bearer <token>` and puts the verified principal on the
 * request. An address that keeps failing is refused for a while (token guessing);
 * each token has its own request budget.
 */
export function bearerAuth(verify: TokenVerifier, limits: RateLimits): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const ip = c.get("clientIp");
    await limits.assertNotBlocked(ip);
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HotdocError("unauthenticated", "send Authorization: Bearer <token>");
    let principal;
    try {
      principal = await verify(match[1]);
    } catch (error) {
      await limits.authFailed(ip);
      throw error;
    }
    await limits.consume("token", principal.tokenId ?? principal.subject);
    c.set("principal", principal);
    await next();
  };
}
