import { useCallback, useState } from "react";
import { ZodError } from "zod";

/**
 * A failed write, shown next to what the person was doing. The shared accessors
 * validate before they touch the document, so a thrown error means nothing was written.
 */
export function InlineError({ error, testId = "inline-error" }: { error: unknown; testId?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="error inv-error" role="alert" data-testid={testId}>
      {describeError(error)}
    </p>
  );
}

/**
 * Runs a document write and keeps what it threw for `InlineError`; returns whether
 * it succeeded, so a form only clears itself when the write went through.
 */
export function useWriteAttempt() {
  const [error, setError] = useState<unknown>(null);
  const attempt = useCallback((write: () => void): boolean => {
    try {
      write();
      setError(null);
      return true;
    } catch (caught) {
      setError(caught ?? new Error("the change was not saved"));
      return false;
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { error, attempt, clear };
}

function describeError(error: unknown): string {
  if (error instanceof ZodError) {
    return error.issues
      .slice(0, 3)
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
      .join("; ");
  }
  if (error instanceof Error && error.message) return error.message;
  return "The change was not saved.";
}
