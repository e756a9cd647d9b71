import type { MiddlewareHandler } from "hono";
import { HotdocError } from "../errors.ts";
import type { TokenVerifier } from "../extensions/AuthenticationExtension.ts";
import type { HttpEnv } from "./env.ts";

/** Requires `Authorization: Bearer <token>` and puts the verified principal on the request. */
export function bearerAuth(verify: TokenVerifier): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HotdocError("unauthenticated", "send Authorization: Bearer <token>");
    c.set("principal", await verify(match[1]));
    await next();
  };
}
