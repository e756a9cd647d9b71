import type { Principal } from "../../shared/access.ts";

/** Hono's per-request variables. */
export interface HttpEnv {
  Variables: { principal: Principal };
}
