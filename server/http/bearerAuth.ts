import type { MiddlewareHandler } from "hono";
import { bearerToken } from "../access/bearerToken.ts";
import type { RateLimits } from "../access/RateLimits.ts";
import type { TokenVerifier } from "../access/TokenService.ts";
import { HotdocError } from "../errors.ts";
import type { HttpEnv } from "./env.ts";

/**
 * Requires `Authorization: Bearer <token>` and puts the verified principal on the
 * request. A token that verifies is always served (within its own budget); an address
 * that keeps presenting bad ones gets 429 instead of 401 for a while, so guessing gains
 * nothing, while colleagues behind the same address are never locked out.
 */
export function bearerAuth(verify: TokenVerifier, limits: RateLimits): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const ip = c.get("clientIp");
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined) {
      await limits.assertNotBlocked(ip);
      throw new HotdocError("unauthenticated", "send Authorization: Bearer <token>");
    }
    let principal: Awaited<ReturnType<TokenVerifier>>;
    try {
      principal = await verify(token);
    } catch (error) {
      await limits.assertNotBlocked(ip);
      await limits.authFailed(ip);
      throw error;
    }
    await limits.consume("token", principal.tokenId ?? principal.subject);
    c.set("principal", principal);
    await next();
  };
}
