import type { HttpBindings } from "@hono/node-server";
import type { Principal } from "#shared/access.ts";

/** Hono's per-request variables, and the Node request underneath (for the peer address). */
export interface HttpEnv {
  Bindings: HttpBindings;
  Variables: {
    principal: Principal;
    clientIp: string;
    /** The CSRF value of the session a browser request came with (none for a bearer token). */
    csrf?: string;
  };
}
