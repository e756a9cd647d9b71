/**
 * Retries a call that fails in a way worth retrying (429, 5xx, a dropped connection),
 * with exponential backoff and full jitter, waiting at least what the server asked
 * for in Retry-After. Hand-written rather than p-retry: the wait of each attempt is
 * decided by the answer (Retry-After), which p-retry's fixed schedule does not model.
 */

/** Thrown by an attempt that may be retried; `retryAfterMs` is the server's Retry-After, if it sent one. */
export class RetryableError extends Error {
  readonly retryAfterMs?: number;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.name = "RetryableError";
    this.retryAfterMs = retryAfterMs;
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff; doubles each attempt. */
  baseMs: number;
  /** Longest single wait, Retry-After included (a longer Retry-After gives up instead). */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxWaitMs: 60_000 };

/**
 * Reads Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms, or
 * undefined when absent or unreadable.
 */
export function retryAfterMs(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for the statuses a request is retried on: 408, 425, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Runs `attempt` until it succeeds, throws a non-retryable error, or the attempts run out. */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof RetryableError) || n >= policy.attempts) throw error;
      const backoff = Math.random() * Math.min(policy.maxWaitMs, policy.baseMs * 2 ** (n - 1));
      const wait = Math.max(backoff, error.retryAfterMs ?? 0);
      if (wait > policy.maxWaitMs) throw error;
      await sleep(wait);
    }
  }
}
