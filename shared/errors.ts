/**
 * Errors that the document rules raise. They carry a stable code; the server maps
 * codes to HTTP statuses and websocket close reasons in one place.
 */
export const DOCUMENT_ERROR_CODES = [
  "invalid_transition",
  "im_required",
  "record_not_found",
] as const;
export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];

export class DocumentRuleError extends Error {
  readonly code: DocumentErrorCode;
  readonly field?: string;

  constructor(code: DocumentErrorCode, message: string, field?: string) {
    super(message);
    this.name = "DocumentRuleError";
    this.code = code;
    this.field = field;
  }
}

/**
 * A sentence a person can read for anything an accessor throws: the field and
 * what is wrong with it for a validation error, the rule for a rule error.
 */
export function describeError(error: unknown): string {
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return issues
      .slice(0, 3)
      .map((issue) => (issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message))
      .join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}
