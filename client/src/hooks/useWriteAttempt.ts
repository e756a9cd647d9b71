import { useCallback, useState } from "react";

/**
 * Runs a document write and keeps what it threw for `InlineError`; returns whether
 * it succeeded, so a form only clears itself when the write went through. The
 * shared accessors validate before they touch the document, so a throw means
 * nothing was written.
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
