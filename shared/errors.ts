/**
 * Errors that the document rules raise. They carry a stable code; the server maps
 * codes to HTTP statuses and websocket close reasons in one place.
 */
const DOCUMENT_ERROR_CODES = [
  "invalid_transition",
  "im_required",
  "record_not_found",
  "name_taken",
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

/** A validation issue, as zod reports it (only what a description needs). */
export interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  minimum?: number | bigint;
  origin?: string;
}

/**
 * Validation issues as a line a person can read, the one way hotdoc words them (API
 * errors, chat replies, forms, configuration): "field: problem" for each of the first
 * `limit` ("field is required" for an empty required text), `labels` naming fields as
 * a form does; and the first issue's field, for an error's `field`.
 */
export function describeIssues(
  issues: readonly IssueLike[],
  options: { labels?: Record<string, string>; limit?: number } = {},
): { message: string; field?: string } {
  const { labels = {}, limit = 5 } = options;
  const keyOf = (issue: IssueLike) =>
    (issue.path ?? [])
      .filter((p) => typeof p !== "symbol")
      .map(String)
      .join(".");
  const message = issues
    .slice(0, limit)
    .map((issue) => {
      const key = keyOf(issue);
      const field = labels[key] ?? key;
      if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1) {
        return `${field || "A value"} is required`;
      }
      const problem = issue.message ?? "is not valid";
      return field ? `${field}: ${problem}` : problem;
    })
    .join("; ");
  const field = issues[0] ? keyOf(issues[0]) : "";
  return { message: message || "not valid", ...(field ? { field } : {}) };
}

/**
 * A line a person can read for anything an accessor throws: a rule error's own
 * message, or a validation error's issues (describeIssues), with `labels` naming the
 * fields as the form does.
 */
export function describeError(error: unknown, labels: Record<string, string> = {}): string {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return describeIssues(issues as IssueLike[], { labels, limit: 3 }).message;
  }
  return error instanceof Error ? error.message : String(error);
}
