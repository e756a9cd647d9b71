import { rateLimited } from "../errors.ts";

/**
 * Bounds how many expensive reads (exports, time travel) are in progress at once,
 * per incident and per token. An export of a big incident holds the document, its
 * postmortem tree and the output in memory until the answer has been sent; four at
 * once on a 20,000-entry incident grew the server by over 1 GB.
 *
 * This counts reads in progress, which is not a rate: the maintained rate limiter
 * (rate-limiter-flexible) counts requests per time window, so a long export would
 * let more in as soon as its window passed. A count per key, taken before the work
 * and given back once the answer is sent, is all that is needed.
 */
export class ConcurrencyGate {
  private readonly running = new Map<string, number>();
  private readonly limits: { perIncident: number; perToken: number };
  private readonly retryAfterMs: number;
  private readonly holdLimitMs: number;

  /**
   * @param holdLimitMs a slot is given back after this long even if its answer is
   *   still being sent, so a client that stops reading cannot keep an incident's
   *   exports blocked for everyone.
   */
  constructor(
    limits: { perIncident: number; perToken: number },
    options: { retryAfterMs?: number; holdLimitMs?: number } = {},
  ) {
    this.limits = limits;
    this.retryAfterMs = options.retryAfterMs ?? 2000;
    this.holdLimitMs = options.holdLimitMs ?? 60_000;
  }

  /**
   * Takes a slot for the incident and the token, or throws `rate_limited` (429 with
   * Retry-After) and takes nothing when either already has its limit in progress.
   * Returns the release function; calling it more than once is harmless.
   */
  enter(incident: string, token: string): () => void {
    const keys = [`incident:${incident}`, `token:${token}`] as const;
    if (this.count(keys[0]) >= this.limits.perIncident) {
      throw rateLimited(
        `${incident} already has ${this.limits.perIncident} exports or time-travel reads in progress; try again shortly`,
        this.retryAfterMs,
      );
    }
    if (this.count(keys[1]) >= this.limits.perToken) {
      throw rateLimited(
        `this token already has ${this.limits.perToken} exports or time-travel reads in progress; try again shortly`,
        this.retryAfterMs,
      );
    }
    for (const key of keys) this.running.set(key, this.count(key) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      for (const key of keys) {
        const left = this.count(key) - 1;
        if (left > 0) this.running.set(key, left);
        else this.running.delete(key);
      }
    };
    const timer = setTimeout(release, this.holdLimitMs);
    timer.unref();
    return release;
  }

  /** Reads in progress now, over all incidents. */
  get inProgress(): number {
    let total = 0;
    for (const [key, count] of this.running) if (key.startsWith("incident:")) total += count;
    return total;
  }

  private count(key: string): number {
    return this.running.get(key) ?? 0;
  }
}
