import { useCallback, useState } from "react";
import { describeError } from "#shared/errors.ts";

/**
 * A failed write, shown next to what the person was doing. The shared accessors
 * validate before they touch the document, so a thrown error means nothing was written.
 */
export function InlineError({
  error,
  testId = "inline-error",
}: {
  error: unknown;
  testId?: string;
}) {
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
