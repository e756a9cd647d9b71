import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium, waitOnline } from "./browser.ts";
import { startTestServer, type TestServer } from "./testServer.ts";

/** A real server and a headless Chromium, shared by the tests of one describe block. */
interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
}

/**
 * Registers the beforeAll that starts a test server and Chromium (side by side) and the
 * afterAll that closes both. Call it first in a describe block, so that block's own
 * beforeAll hooks run after it (vitest runs beforeAll hooks in the order registered).
 * The fields can be read once the hook has run; reading them earlier (while the tests
 * are being collected) throws instead of handing out undefined.
 */
export function browserSuite(): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startTestServer(), launchChromium()]);
    // Keep whichever did start, so afterAll closes it even when the other failed.
    if (started.status === "fulfilled") server = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("browserSuite: the server is read before beforeAll started it");
      return server;
    },
    get browser() {
      if (!browser)
        throw new Error("browserSuite: the browser is read before beforeAll launched it");
      return browser;
    },
  };
}

interface OpenIncidentOptions extends BrowserContextOptions {
  role: "responder" | "viewer";
  /** The name the link is minted for, shown to the other people on the page. */
  name: string;
  /** Wait for the connection indicator to say "online" (the default) before returning. */
  online?: boolean;
}

/**
 * Mints an access link to incident `key` and opens it in a new browser context (its own
 * cookies; a 1400×1000 window unless `viewport` says otherwise). Close it with
 * `page.context().close()`.
 */
export async function openIncident(
  { server, browser }: BrowserSuite,
  key: string,
  { role, name, online = true, ...contextOptions }: OpenIncidentOptions,
): Promise<Page> {
  const link = await server.api("POST", `/api/incidents/${key}/links`, { role, name });
  if (link.status !== 201) {
    throw new Error(
      `minting a ${role} link to ${key} answered ${link.status}: ${JSON.stringify(link.body)}`,
    );
  }
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    ...contextOptions,
  });
  const page = await context.newPage();
  await page.goto(link.body.url);
  if (online) await waitOnline(page);
  return page;
}
