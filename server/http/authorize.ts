import { type Action, can, type Principal } from "#shared/access.ts";
import { HotdocError } from "../errors.ts";

/** Throws `forbidden` unless the policy allows `action`; routes call this, they never decide themselves. */
export function authorize(principal: Principal, action: Action, incident?: string): void {
  if (!can(principal, action, incident)) {
    throw new HotdocError(
      "forbidden",
      `a ${principal.role} token${principal.scope === "*" ? "" : ` for ${principal.scope}`} may not ${action.replace("_", " ")}${incident ? ` on ${incident}` : ""}`,
    );
  }
}
