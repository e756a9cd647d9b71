import crypto from "node:crypto";
import { HotdocError, validationError } from "../errors.ts";

/** Signed deliveries older or newer than this are refused (Slack's window; ours for the generic webhook). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export function hmac(
  key: crypto.BinaryLike,
  data: crypto.BinaryLike | Buffer,
  encoding: "hex" | "base64",
): string {
  return crypto.createHmac("sha256", key).update(data).digest(encoding);
}

/** Checks a unix-seconds timestamp header against the clock. */
export function checkTimestamp(header: string | null, now: number): number {
  if (!header || !/^\d{1,12}$/.test(header))
    throw new HotdocError("signature_invalid", "missing or malformed request timestamp");
  const seconds = Number(header);
  if (Math.abs(now - seconds * 1000) > MAX_CLOCK_SKEW_MS) {
    throw new HotdocError(
      "timestamp_stale",
      "request timestamp is more than 5 minutes away from the server clock",
    );
  }
  return seconds;
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HotdocError("invalid_payload", "the body is not valid JSON");
  }
}

/** Parses `value` with a zod schema, turning failures into `invalid_payload` naming the field. */
export function parsePayload<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(result.error, "invalid_payload");
}

/**
 * A chat message's own time (epoch ms) as ISO, or `invalid_payload` naming the field
 * when it is no time a message can have been said at: not a finite number, before
 * 1970, or further ahead of the server clock than signed requests may be. (An
 * out-of-range value used to reach `toISOString()` and answer 500 with a RangeError.)
 */
export function chatTime(ms: number, now: number, field: string): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > now + MAX_CLOCK_SKEW_MS) {
    throw new HotdocError(
      "invalid_payload",
      `${field}: not a time a chat message can have been sent at`,
      field,
    );
  }
  return new Date(Math.round(ms)).toISOString();
}

/** Slack-style seconds ("1700000000.123456") to ISO, with the same bounds as `chatTime`. */
export function secondsToIso(seconds: string | number, now: number, field: string): string {
  return chatTime(Number(seconds) * 1000, now, field);
}
