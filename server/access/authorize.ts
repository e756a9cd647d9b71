import { type Action, can, type Principal } from "#shared/access.ts";
import { HotdocError } from "../errors.ts";

/**
 * Throws `forbidden` unless the policy allows `action`. Routes and the incident service
 * call this before acting; none of them decides for itself.
 */
export function authorize(principal: Principal, action: Action, incident?: string): void {
  if (!can(principal, action, incident)) {
    // The chat bridge and the server act without a token.
    const who = principal.role === "bridge" ? "the chat bridge" : `a ${principal.role} token`;
    throw new HotdocError(
      "forbidden",
      `${who}${principal.scope === "*" ? "" : ` for ${principal.scope}`} may not ${action.replace("_", " ")}${incident ? ` on ${incident}` : ""}`,
    );
  }
}
