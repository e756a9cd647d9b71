import type { IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitSettings } from "../config.ts";
import { rateLimited } from "../errors.ts";

export type LimitKind = "ip" | "token" | "hooks" | "wsMessages";

/**
 * Every request budget in one place, on `rate-limiter-flexible` (maintained, with the
 * same API over memory, Redis and PostgreSQL stores, so several processes can share
 * budgets later). Websocket connection attempts are throttled by Hocuspocus' own
 * throttle extension (see ConnectionThrottle). A limit of 0 is off.
 */
export class RateLimits {
  private readonly limiters = new Map<LimitKind, RateLimiterMemory>();
  private readonly authFailures?: RateLimiterMemory;

  constructor(settings: RateLimitSettings) {
    const perMinute = (points: number, keyPrefix: string) =>
      points > 0 ? new RateLimiterMemory({ keyPrefix, points, duration: 60 }) : undefined;
    const set = (kind: LimitKind, limiter: RateLimiterMemory | undefined) =>
      limiter && this.limiters.set(kind, limiter);
    set("ip", perMinute(settings.ipPerMinute, "ip"));
    set("token", perMinute(settings.tokenPerMinute, "token"));
    set("hooks", perMinute(settings.hooksPerMinute, "hooks"));
    set("wsMessages", perMinute(settings.wsMessagesPerMinute, "ws"));
    if (settings.authFailures > 0) {
      // Guessing tokens: after this many failures in 10 minutes, bad tokens from that
      // address get 429 for 10 minutes. Good tokens are never refused for it: many
      // responders share one address (office NAT, VPN), and one of them must not be
      // able to lock out the rest mid-incident.
      this.authFailures = new RateLimiterMemory({
        keyPrefix: "authfail",
        points: settings.authFailures,
        duration: 600,
        blockDuration: 600,
      });
    }
  }

  /** Spends one unit of `kind` for `key`; throws `rate_limited` (429, Retry-After) when none is left. */
  async consume(kind: LimitKind, key: string): Promise<void> {
    const limiter = this.limiters.get(kind);
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (refusal) {
      throw refusalError(refusal, `too many requests (${describe(kind)}); slow down`);
    }
  }

  /** Throws `rate_limited` while `ip` is refused for failed authentications (callers ask only once a token has failed). */
  async assertNotBlocked(ip: string): Promise<void> {
    if (!this.authFailures) return;
    const state = await this.authFailures.get(ip);
    if (state && state.consumedPoints > this.authFailures.points) {
      throw rateLimited(
        "too many failed authentications from this address; try again later",
        state.msBeforeNext,
      );
    }
  }

  /** Counts a failed authentication from `ip`. */
  async authFailed(ip: string): Promise<void> {
    if (!this.authFailures) return;
    await this.authFailures.consume(ip).catch(() => undefined);
  }
}

function describe(kind: LimitKind): string {
  switch (kind) {
    case "ip":
      return "from this address";
    case "token":
      return "with this token";
    case "hooks":
      return "chat deliveries from this address";
    case "wsMessages":
      return "websocket messages with this token";
  }
}

function refusalError(refusal: unknown, message: string) {
  const wait = refusal instanceof RateLimiterRes ? refusal.msBeforeNext : 1000;
  return rateLimited(message, wait);
}

/**
 * The client's address as budgets key it: the socket's peer, or with `trustProxy` the
 * last X-Forwarded-For hop (the one our own proxy appended; earlier hops are the
 * client's to forge). An IPv4-mapped IPv6 address counts as its IPv4 address, and any
 * other IPv6 address as its /64, since one host usually holds a whole /64 and could
 * otherwise take a fresh budget with every address in it.
 */
export function clientAddress(
  request: Pick<IncomingMessage, "headers" | "socket">,
  trustProxy: boolean,
): string {
  let address = request.socket.remoteAddress ?? "unknown";
  if (trustProxy) {
    const forwarded = request.headers["x-forwarded-for"];
    const value = Array.isArray(forwarded) ? forwarded.join(",") : forwarded;
    const last = value
      ?.split(",")
      .map((hop) => hop.trim())
      .filter(Boolean)
      .at(-1);
    if (last) address = last;
  }
  return budgetKey(address);
}

function budgetKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const parts = v6.parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(":")}::/64`;
}
