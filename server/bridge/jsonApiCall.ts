import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import { TargetRefusedError } from "../net/outboundTarget.ts";
import { isRetryableStatus, RetryableError, retryAfterMs, withRetries } from "../net/retrying.ts";
import { ChatApiError } from "./ChatApi.ts";
import type { PlatformDeps } from "./platforms/PlatformModule.ts";

/** One attempt's time limit; a slower server is retried like one that answered 5xx. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface JsonAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** What a platform's error body says: its own code and text, and whether (and when) to retry. */
export interface PlatformRefusal {
  code?: string;
  text?: string;
  /** Retry although the status alone would not say so (Matrix's M_LIMIT_EXCEEDED). */
  retry?: boolean;
  /** A wait the body asks for, where the Retry-After header is missing. */
  retryAfterMs?: number;
}

/**
 * One call of a platform's JSON API (Matrix client-server, Mattermost REST) with a bearer
 * token, through the outbound policy, retried on 429, 5xx and dropped connections, waiting
 * what the server asked. An answer `accept` takes (an already-joined member, a name in use)
 * is returned as it is; any other refusal is a ChatApiError with the platform's code.
 */
export async function callJsonApi(options: {
  platform: ChatPlatform;
  deps: PlatformDeps;
  /** What the server is called in messages ("the homeserver"). */
  server: string;
  url: string;
  token: string;
  method: "GET" | "POST" | "PUT";
  body?: unknown;
  refusal: (json: Record<string, unknown>) => PlatformRefusal;
  accept?: (status: number, code: string | undefined, text: string | undefined) => boolean;
}): Promise<JsonAnswer> {
  const { platform, deps, method, body } = options;
  const path = new URL(options.url).pathname;
  let last: { status?: number; code?: string } = {};
  try {
    return await withRetries(async () => {
      let result: Awaited<ReturnType<PlatformDeps["outbound"]["request"]>>;
      try {
        result = await deps.outbound.request(options.url, {
          method,
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          timeoutMs: ATTEMPT_TIMEOUT_MS,
        });
      } catch (error) {
        if (error instanceof TargetRefusedError)
          throw new ChatApiError(platform, `${options.server} is not reachable: ${error.message}`);
        last = {};
        throw new RetryableError(
          `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const json = parseObject(result.body);
      if (result.status >= 200 && result.status < 300) return { status: result.status, json };
      const refusal = options.refusal(json);
      if (options.accept?.(result.status, refusal.code, refusal.text))
        return { status: result.status, json };
      const message = `${method} ${path} answered ${result.status}${refusal.code ? ` ${refusal.code}` : ""}${refusal.text ? `: ${refusal.text}` : ""}`;
      last = { status: result.status, code: refusal.code };
      if (isRetryableStatus(result.status) || refusal.retry) {
        const header = result.headers["retry-after"];
        const wait =
          retryAfterMs(Array.isArray(header) ? header[0] : header) ?? refusal.retryAfterMs;
        deps.logger.debug({ platform, path, status: result.status, wait }, "API call retried");
        throw new RetryableError(message, wait);
      }
      throw new ChatApiError(platform, message, last);
    }, deps.retry);
  } catch (error) {
    if (error instanceof RetryableError)
      throw new ChatApiError(platform, `gave up: ${error.message}`, last);
    throw error;
  }
}

function parseObject(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
