/**
 * Who may do what. `can` is the one policy function: every door (websocket,
 * y-websocket, REST, export, chat bridge) asks it and nothing else decides.
 */
import { z } from "zod";

const PRINCIPAL_ROLES = ["admin", "responder", "viewer", "bridge", "system"] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

/**
 * Roles a share link or token can carry. The other two are the server's own: system
 * (the server itself) and bridge (the chat adapters, whose deliveries are proven by the
 * platform's signature or token, never by a hotdoc token).
 */
export const TOKEN_ROLES = ["admin", "responder", "viewer"] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface Principal {
  /** Stable subject id (token subject, chat user id, "system"). */
  subject: string;
  /** Display name shown in presence and written as author. */
  name: string;
  role: PrincipalRole;
  /** An incident key, or "*" for every incident. */
  scope: string;
  /** The token's id, when the principal came from a revocable token. */
  tokenId?: string;
  /** When the token or session stops being valid (epoch ms), if it expires. */
  expiresAt?: number;
  /** The person's email, when their identity provider gave one. */
  email?: string;
  /** The browser session this principal came from (cookie sign-in). */
  sessionId?: string;
  /**
   * True for a credential several people hold (the admin bootstrap token, a responder
   * link minted without a name): a browser opening it must ask who is using it.
   */
  shared?: boolean;
}

export const SYSTEM_PRINCIPAL: Principal = {
  subject: "system",
  name: "hotdoc",
  role: "system",
  scope: "*",
};

/**
 * A name a person gives themself (a personal link, a token's name): shown to everyone in
 * presence and written as author, so no control or invisible formatting characters
 * (bidi overrides, zero-width joiners) that could make it read as someone else's.
 */
export const PersonName = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(200)
  .refine(
    (name) => !/[\p{Cc}\p{Cf}]/u.test(name),
    "a name cannot hold control or formatting characters",
  );

/**
 * Who a chat delivery acts as: the platform's bridge, scoped to the one incident the
 * room belongs to. People in a chat room hold no hotdoc rights of their own; what the
 * room may do to an incident is what this principal may.
 */
export function bridgePrincipal(platform: string, incident: string): Principal {
  return { subject: `bridge:${platform}`, name: platform, role: "bridge", scope: incident };
}

/**
 * Who a declaration said in chat acts as (`/hotdoc declare sev2 …`): the platform's
 * bridge, which may open a new incident and nothing else; what it then writes into
 * that incident it writes as `bridgePrincipal` of the new incident.
 */
export function chatDeclarer(platform: string, name: string): Principal {
  return { subject: `bridge:${platform}`, name, role: "bridge", scope: "*" };
}

export const ACTIONS = [
  "read", // see the document, live
  "edit", // change the document
  "export", // export the document
  "create_incident",
  "manage_links", // mint and revoke share links
  "manage_tokens", // mint tokens of any role and scope
  "bridge", // mirror a chat room into the timeline (messages, edits, deletions, pins, chat commands)
] as const;
export type Action = (typeof ACTIONS)[number];

function inScope(principal: Principal, incident: string | undefined): boolean {
  return principal.scope === "*" || (incident !== undefined && principal.scope === incident);
}

/**
 * The policy. `incident` is the key the action is about; actions that are not
 * about one incident (creating one) pass undefined.
 */
export function can(principal: Principal, action: Action, incident?: string): boolean {
  switch (principal.role) {
    case "admin":
    case "system":
      return true;
    case "responder":
      if (action === "manage_tokens") return false;
      // A team link held by several people names nobody: it opens the page, where each
      // person gets a link of their own, and only reads until then.
      if (principal.shared)
        return (action === "read" || action === "export") && inScope(principal, incident);
      if (action === "create_incident" || action === "manage_links") return principal.scope === "*";
      if (action === "bridge") return false;
      return inScope(principal, incident);
    case "viewer":
      return (action === "read" || action === "export") && inScope(principal, incident);
    case "bridge":
      // A declaration from chat (scope "*") may open an incident and do nothing else.
      if (action === "create_incident") return principal.scope === "*";
      // One room's incident, never "*": a delivery acts only on the incident its room
      // belongs to. It mirrors into it and reads it (to follow the messages it mirrored
      // and to announce in the room); it edits nothing outside chat, exports nothing, and
      // mints no links or tokens.
      return (
        (action === "bridge" || action === "read") &&
        incident !== undefined &&
        principal.scope === incident
      );
    default:
      return false;
  }
}

/** How the client shows a role. */
export const PRINCIPAL_ROLE_LABELS: Record<PrincipalRole, string> = {
  admin: "Admin",
  responder: "Responder",
  viewer: "Viewer (read-only)",
  bridge: "Chat bridge",
  system: "hotdoc",
};
