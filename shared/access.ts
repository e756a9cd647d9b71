/**
 * Who may do what. `can` is the one policy function: every door (websocket,
 * y-websocket, REST, export, chat bridge) asks it and nothing else decides.
 */
export const PRINCIPAL_ROLES = ["admin", "responder", "viewer", "bridge", "system"] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

/** Roles a share link or token can carry (system is the server itself). */
export const TOKEN_ROLES = ["admin", "responder", "viewer", "bridge"] as const;
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
  /** When the token stops being valid (epoch ms), if it expires. */
  expiresAt?: number;
}

export const SYSTEM_PRINCIPAL: Principal = {
  subject: "system",
  name: "hotdoc",
  role: "system",
  scope: "*",
};

export const ACTIONS = [
  "read", // see the document, live
  "edit", // change the document
  "export", // export the document
  "create_incident",
  "manage_links", // mint and revoke share links
  "manage_tokens", // mint tokens of any role and scope
  "bridge", // write chat messages into a timeline
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
      if (action === "create_incident" || action === "manage_links") return principal.scope === "*";
      if (action === "bridge") return false;
      return inScope(principal, incident);
    case "viewer":
      return (action === "read" || action === "export") && inScope(principal, incident);
    case "bridge":
      return (action === "bridge" || action === "read") && inScope(principal, incident);
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
