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

interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  minimum?: number | bigint;
  origin?: string;
}

/**
 * A line a person can read for anything an accessor throws: a rule error's own
 * message, or a validation error's issues as "field: problem" ("field is required"
 * for an empty required text), with `labels` naming the fields as the form does.
 */
export function describeError(error: unknown, labels: Record<string, string> = {}): string {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return (issues as IssueLike[])
      .slice(0, 3)
      .map((issue) => {
        const key = (issue.path ?? [])
          .filter((p) => typeof p !== "symbol")
          .map(String)
          .join(".");
        const field = labels[key] ?? key;
        if (
          issue.code === "too_small" &&
          issue.origin === "string" &&
          Number(issue.minimum) === 1
        ) {
          return `${field || "A value"} is required`;
        }
        const message = issue.message ?? "is not valid";
        return field ? `${field}: ${message}` : message;
      })
      .join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}
