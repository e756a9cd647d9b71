import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../server/config.ts";
import { type RunningHotdoc, startHotdoc } from "../../server/hotdoc.ts";
import { createLogger } from "../../server/logger.ts";
import type { Stores } from "../../server/storage/stores.ts";

export const TEST_TOKEN = "test-admin-token-0123456789";

/** Budgets high enough that no ordinary test meets them. */
export const TEST_LIMITS: Record<string, string> = {
  RATE_LIMIT_IP_PER_MINUTE: "1000000",
  RATE_LIMIT_TOKEN_PER_MINUTE: "1000000",
  RATE_LIMIT_HOOKS_PER_MINUTE: "1000000",
  RATE_LIMIT_AUTH_FAILURES: "100000",
  WS_CONNECTS_PER_MINUTE: "100000",
  WS_MESSAGES_PER_MINUTE: "10000000",
};

export interface TestServer {
  hotdoc: RunningHotdoc;
  url: string;
  wsUrl: string;
  token: string;
  dataDir: string;
  /** Every log line the server wrote, parsed (only when started with `captureLogs`). */
  logs: Record<string, unknown>[];
  api(
    method: string,
    route: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hotdoc-test-"));
}

/** A real hotdoc server on port 0 with its own data directory. */
export async function startTestServer(
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    captureLogs?: boolean;
    stores?: Stores;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    ADMIN_TOKEN: TEST_TOKEN,
    LOG_LEVEL: "silent",
    // Test webhook receivers listen on loopback, which production refuses (SSRF); a test
    // of the refusal itself sets WEBHOOK_ALLOWED_TARGETS to "".
    WEBHOOK_ALLOWED_TARGETS: "127.0.0.0/8,::1/128",
    // The suite drives one server hard from one address; the limits themselves are
    // exercised in test/abuse/ with small budgets.
    ...TEST_LIMITS,
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const hotdoc = await startHotdoc(config, {
    stores: options.stores,
    ...(options.captureLogs ? { logger: createLogger("info", sink) } : {}),
  });
  const url = `http://127.0.0.1:${hotdoc.port}`;
  return {
    hotdoc,
    url,
    wsUrl: `ws://127.0.0.1:${hotdoc.port}/collab`,
    token: TEST_TOKEN,
    dataDir,
    logs,
    api: (method, route, body, token = TEST_TOKEN) => callApi(url, method, route, body, token),
    close: () => hotdoc.close(),
  };
}

export async function callApi(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
  token: string | null = TEST_TOKEN,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}
