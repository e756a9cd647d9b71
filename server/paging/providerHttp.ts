import { PROVIDER_TIMEOUT_MS } from "./types.ts";

/** Small pieces every provider client shares: reading a JSON answer, and saying why a request failed. */

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
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${PROVIDER_TIMEOUT_MS} ms`;
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
