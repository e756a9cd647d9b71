import { ZodError } from "zod";
import { CLOSE_REASONS, type CloseReason } from "#shared/closeReasons.ts";
import { DocumentRuleError, describeIssues, type IssueLike } from "#shared/errors.ts";

/**
 * The server's typed errors. Every failure a client can see has a stable code;
 * this file is the one place that maps codes to HTTP statuses and websocket
 * close reasons.
 */
const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_payload: 400,
  unauthenticated: 401,
  token_invalid: 401,
  token_expired: 401,
  token_revoked: 401,
  signature_invalid: 401,
  timestamp_stale: 401,
  session_invalid: 401,
  session_expired: 401,
  session_revoked: 401,
  signin_failed: 400,
  signin_expired: 400,
  signin_refused: 403,
  csrf_refused: 403,
  forbidden: 403,
  not_found: 404,
  oidc_disabled: 404,
  incident_not_found: 404,
  record_not_found: 404,
  room_not_linked: 404,
  paging_team_not_found: 404,
  history_compacted: 410,
  invalid_transition: 409,
  im_required: 409,
  name_taken: 409,
  name_required: 409,
  paging_not_configured: 409,
  publishing_not_configured: 409,
  nothing_to_publish: 409,
  payload_too_large: 413,
  document_too_large: 413,
  rate_limited: 429,
  store_unavailable: 503,
  adapter_disabled: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class HotdocError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  /** For `rate_limited`: whole seconds until a retry can succeed (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    field?: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "HotdocError";
    this.code = code;
    this.field = field;
    if (options.retryAfterSeconds !== undefined)
      this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }
}

/** A `rate_limited` error that tells the client when to come back. */
export function rateLimited(message: string, retryAfterMs: number): HotdocError {
  return new HotdocError("rate_limited", message, undefined, {
    retryAfterSeconds: retryAfterMs / 1000,
  });
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

/** A failed validation as a typed error: its issues described, the first one's field named. */
export function validationError(
  error: { issues: readonly IssueLike[] },
  code: "validation_failed" | "invalid_payload" = "validation_failed",
): HotdocError {
  const { message, field } = describeIssues(error.issues);
  return new HotdocError(code, message, field);
}

/** Turns anything thrown into a HotdocError (zod and document-rule errors keep their detail). */
export function toHotdocError(error: unknown): HotdocError {
  if (error instanceof HotdocError) return error;
  if (error instanceof ZodError) return validationError(error);
  if (error instanceof DocumentRuleError)
    return new HotdocError(error.code, error.message, error.field);
  if (storeUnreachable(error))
    return new HotdocError("store_unavailable", "the store cannot be reached; try again shortly");
  // PostgreSQL refused a value (class 22, data exception: a NUL character in text, say).
  if (sqlState(error)?.startsWith("22"))
    return new HotdocError("validation_failed", "a value was refused by the store");
  return new HotdocError("internal", "internal error");
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Errors that say the database is down or unreachable (connection, shutdown, resources). */
function storeUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const state = sqlState(error);
  if (state && /^(08|53|57P0[1-4])/.test(state)) return true;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)
  )
    return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Query read timeout/i.test(
    error.message,
  );
}

export function httpStatus(error: HotdocError): number {
  return ERROR_STATUS[error.code];
}

export function errorBody(error: HotdocError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    },
  };
}

const CLOSE_BY_CODE: Partial<Record<ErrorCode, CloseReason>> = {
  unauthenticated: CLOSE_REASONS.unauthenticated,
  token_invalid: CLOSE_REASONS.token_invalid,
  token_expired: CLOSE_REASONS.token_expired,
  token_revoked: CLOSE_REASONS.token_revoked,
  session_invalid: CLOSE_REASONS.session_ended,
  session_expired: CLOSE_REASONS.session_ended,
  session_revoked: CLOSE_REASONS.session_ended,
  csrf_refused: CLOSE_REASONS.forbidden,
  forbidden: CLOSE_REASONS.forbidden,
  incident_not_found: CLOSE_REASONS.incident_not_found,
  store_unavailable: CLOSE_REASONS.store_unavailable,
  rate_limited: CLOSE_REASONS.rate_limited,
  document_too_large: CLOSE_REASONS.document_too_large,
};

/** The websocket refusal for an error; anything unexpected becomes a generic invalid-message close. */
export function closeReason(error: HotdocError): CloseReason {
  return CLOSE_BY_CODE[error.code] ?? CLOSE_REASONS.invalid_message;
}
