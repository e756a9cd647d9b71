/**
 * Why the server refused or closed a collaboration connection. The reason string
 * is what a client receives (Hocuspocus `authenticationFailed.reason`, or the
 * websocket close reason); clients switch on it to explain the refusal.
 */
export const CLOSE_REASONS = {
  unauthenticated: { code: 4401, reason: "unauthenticated", message: "No access token was given." },
  token_invalid: { code: 4401, reason: "token-invalid", message: "The access link is not valid." },
  token_expired: { code: 4401, reason: "token-expired", message: "The access link has expired." },
  token_revoked: {
    code: 4401,
    reason: "token-revoked",
    message: "The access link has been revoked.",
  },
  session_ended: {
    code: 4401,
    reason: "session-ended",
    message: "You have been signed out; sign in again to continue.",
  },
  forbidden: {
    code: 4403,
    reason: "forbidden",
    message: "This link does not give access to this incident.",
  },
  incident_not_found: {
    code: 4404,
    reason: "incident-not-found",
    message: "There is no incident with this key.",
  },
  invalid_message: {
    code: 4400,
    reason: "invalid-message",
    message: "The server could not read a message.",
  },
  store_unavailable: {
    code: 4503,
    reason: "store-unavailable",
    message: "The server could not save; reconnecting.",
  },
  rate_limited: {
    code: 4429,
    reason: "rate-limited",
    message: "Too many requests from this address or link; try again shortly.",
  },
  missing_dependencies: {
    code: 4409,
    reason: "missing-dependencies",
    message:
      "An update arrived before the changes it builds on; reconnecting to resend them in order.",
  },
  unauthenticated_timeout: {
    code: 4408,
    reason: "authentication-timeout",
    message: "The connection did not authenticate in time.",
  },
  document_too_large: {
    code: 4413,
    reason: "document-too-large",
    message:
      "The incident document has reached its size or record limit; this change was not saved.",
  },
} as const;

type CloseReasonName = keyof typeof CLOSE_REASONS;
export type CloseReason = (typeof CLOSE_REASONS)[CloseReasonName];

/** Looks up a reason string sent by the server; unknown strings map to undefined. */
export function closeReasonFromString(reason: string | undefined): CloseReason | undefined {
  return Object.values(CLOSE_REASONS).find((r) => r.reason === reason);
}
