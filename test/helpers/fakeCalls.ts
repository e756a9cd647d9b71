import type http from "node:http";

/** One request as a fake platform server received it. */
export interface FakeCall {
  method: string;
  /** The path as sent (percent-encoded). */
  path: string;
  /** The path's segments, decoded. */
  segments: string[];
  headers: http.IncomingHttpHeaders;
  /** The body, parsed as JSON when it is JSON. */
  body: unknown;
}

/** Reads a request into a FakeCall. */
export function readCall(request: http.IncomingMessage, raw: string): FakeCall {
  const url = new URL(request.url ?? "/", "http://fake");
  const segments = url.pathname
    .split("/")
    .filter(Boolean)
    .map((part) => decodeURIComponent(part));
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  return {
    method: request.method ?? "GET",
    path: url.pathname,
    segments,
    headers: request.headers,
    body,
  };
}

/** Takes the first failure queued for a call whose decoded path matches, if any. */
export function takeFailure<F>(
  failures: { pattern: RegExp | string; failure: F }[],
  call: FakeCall,
): F | undefined {
  const decoded = call.segments.join("/");
  const forced = failures.findIndex(({ pattern }) =>
    typeof pattern === "string" ? decoded.includes(pattern) : pattern.test(decoded),
  );
  return forced >= 0 ? failures.splice(forced, 1)[0].failure : undefined;
}
