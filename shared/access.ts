/**
 * Who is acting. Every write the server makes carries one of these as its
 * transaction origin, so the log, the store and the timeline can tell them apart.
 */
export const PRINCIPAL_ROLES = ["admin", "responder", "viewer", "bridge", "system"] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

export interface Principal {
  /** Stable subject id (token subject, chat user id, "system"). */
  subject: string;
  /** Display name shown in presence and written as author. */
  name: string;
  role: PrincipalRole;
  /** An incident key, or "*" for every incident. */
  scope: string;
}

export const SYSTEM_PRINCIPAL: Principal = { subject: "system", name: "hotdoc", role: "system", scope: "*" };
