import crypto from "node:crypto";

/**
 * How hotdoc signs what it posts to a generic webhook (a page, a status update), the
 * way Stripe and Slack sign theirs: `X-Hotdoc-Timestamp` (Unix seconds) and
 * `X-Hotdoc-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. The
 * receiver recomputes it over the raw body and refuses a timestamp older than 5 minutes.
 */
export const SIGNATURE_HEADER = "x-hotdoc-signature";
export const TIMESTAMP_HEADER = "x-hotdoc-timestamp";

export function signedHeaders(
  secret: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const mac = crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${mac}` };
}

/** True when `signature` is a valid v1 signature of `body` at `timestamp`, within 5 minutes of now. */
export function verifyHotdocSignature(
  secret: string,
  body: string,
  timestamp: string | undefined,
  signature: string | undefined,
  now: Date = new Date(),
): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > 300) return false;
  const expected = crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest();
  return signature.split(",").some((part) => {
    const match = /^v1=([0-9a-f]{64})$/.exec(part.trim());
    return match ? crypto.timingSafeEqual(Buffer.from(match[1], "hex"), expected) : false;
  });
}
