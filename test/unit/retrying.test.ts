import { describe, expect, it } from "vitest";
import {
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
  withRetries,
} from "../../server/net/retrying.ts";

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

const POLICY: RetryPolicy = { attempts: 4, baseMs: 100, maxWaitMs: 10_000 };

describe("withRetries", () => {
  it("returns the first success without waiting", async () => {
    const { waits, sleep } = recordingSleep();
    const calls: number[] = [];
    const result = await withRetries(
      async (n) => {
        calls.push(n);
        return "ok";
      },
      POLICY,
      sleep,
    );
    expect(result).toBe("ok");
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it("retries a RetryableError and stops at the first success", async () => {
    const { waits, sleep } = recordingSleep();
    const calls: number[] = [];
    const result = await withRetries(
      async (n) => {
        calls.push(n);
        if (n < 3) throw new RetryableError(`503 on attempt ${n}`);
        return n;
      },
      POLICY,
      sleep,
    );
    expect(result).toBe(3);
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toHaveLength(2);
    // Full jitter: each wait is within the doubling backoff of its attempt.
    expect(waits[0]).toBeGreaterThanOrEqual(0);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it("gives up after `attempts` attempts, throwing the last error", async () => {
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    const attempt = withRetries(
      async (n) => {
        calls++;
        throw new RetryableError(`429 on attempt ${n}`);
      },
      POLICY,
      sleep,
    );
    await expect(attempt).rejects.toThrow("429 on attempt 4");
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it("waits at least what Retry-After asked, even above the backoff", async () => {
    const { waits, sleep } = recordingSleep();
    const result = await withRetries(
      async (n) => {
        if (n === 1) throw new RetryableError("429", 2_500);
        if (n === 2) throw new RetryableError("429", 0);
        return "sent";
      },
      POLICY,
      sleep,
    );
    expect(result).toBe("sent");
    expect(waits[0]).toBeGreaterThanOrEqual(2_500);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
    // Retry-After 0 leaves the jittered backoff of the second attempt.
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it("gives up at once when Retry-After is longer than maxWaitMs", async () => {
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new RetryableError("429 come back in an hour", 3_600_000);
        },
        POLICY,
        sleep,
      ),
    ).rejects.toThrow("429 come back in an hour");
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it("never retries a plain Error", async () => {
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new TypeError("400 invalid_payload");
        },
        POLICY,
        sleep,
      ),
    ).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it("keeps every backoff under maxWaitMs however many attempts", async () => {
    const { waits, sleep } = recordingSleep();
    await expect(
      withRetries(
        async () => {
          throw new RetryableError("502");
        },
        { attempts: 12, baseMs: 1_000, maxWaitMs: 5_000 },
        sleep,
      ),
    ).rejects.toThrow("502");
    expect(waits).toHaveLength(11);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(5_000);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("1", now)).toBe(1_000);
  });

  it("reads an HTTP-date (RFC 9110 IMF-fixdate) as the time left until it", () => {
    expect(retryAfterMs("Sun, 01 Mar 2026 12:00:30 GMT", now)).toBe(30_000);
    // A date already past means: now.
    expect(retryAfterMs("Sun, 01 Mar 2026 11:59:00 GMT", now)).toBe(0);
  });

  it("returns undefined when the header is absent or unreadable", () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("", now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("in a minute", now)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 425, 429 and 5xx, nothing else", () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599])
      expect(isRetryableStatus(status), String(status)).toBe(true);
    for (const status of [200, 202, 204, 301, 302, 400, 401, 403, 404, 409, 413, 422])
      expect(isRetryableStatus(status), String(status)).toBe(false);
  });
});
