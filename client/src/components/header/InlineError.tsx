import "./header.css";

/** Turns what an accessor threw into one readable line, and shows it next to the control that caused it. */

interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  minimum?: number | bigint;
  origin?: string;
}

function issuesOf(error: unknown): IssueLike[] | null {
  if (typeof error !== "object" || error === null) return null;
  const issues = (error as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : null;
}

/**
 * The message to show for an error thrown by a shared accessor: a DocumentRuleError's
 * own message, or a ZodError's issues as "Field: problem" (with `labels` naming the fields).
 */
export function errorText(error: unknown, labels: Record<string, string> = {}): string {
  const issues = issuesOf(error);
  if (issues && issues.length > 0) {
    return issues
      .map((issue) => {
        const key = (issue.path ?? []).filter((p) => typeof p !== "symbol").join(".");
        const field = labels[key] ?? key;
        if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1) {
          return `${field || "A value"} is required`;
        }
        const message = issue.message ?? "is not valid";
        return field ? `${field}: ${message}` : message;
      })
      .join("; ");
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** An inline error line (a block-level span, so it may sit inside headings and labels); nothing when there is no message. */
export function InlineError({ message, testId = "inline-error" }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <span className="error ih-error" role="alert" data-testid={testId}>
      {message}
    </span>
  );
}
