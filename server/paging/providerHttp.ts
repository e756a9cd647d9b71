import { RetryableError, type RetryPolicy, withRetries } from "../net/retrying.ts";
import { PROVIDER_TIMEOUT_MS, ProviderError } from "./types.ts";

/**
 * Small pieces every provider client shares: reading a JSON answer, saying why a request
 * failed, and giving up after the retries.
 */

/** The answer as a JSON object, or {} when it is not one. */
export function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Why a request got no answer: a timeout, or the network error with its cause. */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${PROVIDER_TIMEOUT_MS} ms`;
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** What an attempt saw of its answer, so that giving up can name the last status. */
export interface AttemptSeen {
  status: number | null;
}

/**
 * Runs `attempt` under `policy`. When the attempts run out on a RetryableError, that error
 * becomes a retryable ProviderError of `provider`, its message led by `giveUp` and its
 * status the last one an attempt recorded in `seen` (or, with `statusOf`, read off the error).
 */
export async function withProviderRetries<T>(
  provider: string,
  giveUp: string,
  policy: RetryPolicy,
  attempt: (seen: AttemptSeen) => Promise<T>,
  statusOf?: (error: RetryableError) => number | null,
): Promise<T> {
  const seen: AttemptSeen = { status: null };
  try {
    return await withRetries(() => attempt(seen), policy);
  } catch (error) {
    if (error instanceof RetryableError)
      throw new ProviderError(provider, `${giveUp}: ${error.message}`, {
        status: statusOf ? statusOf(error) : seen.status,
        retryable: true,
      });
    throw error;
  }
}

/** A provider's answer to one request, whatever its status. */
export interface ProviderAnswer {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * One JSON POST with hotdoc's user agent and the provider time limit. No answer (a dropped
 * connection, a timeout) throws RetryableError saying `who` is not reachable; an answer
 * of any status is returned.
 */
export async function postToProvider(
  fetchImpl: typeof fetch,
  who: string,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "hotdoc", ...headers },
      body,
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch (error) {
    throw new RetryableError(`${who} is not reachable: ${describeFailure(error)}`);
  }
  const text = await response.text().catch(() => "");
  return { status: response.status, text, headers: response.headers };
}
