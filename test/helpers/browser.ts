import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");

/**
 * Debian's Chromium, headless; playwright gives every launch a fresh temporary
 * profile. Never a browser downloaded by a test tool.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install Debian's chromium package (.ci/run does)`,
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** Who the page is signed in as, asked with its own session cookie. */
export async function subjectIn(page: Page): Promise<string> {
  const me = await page.evaluate(() => fetch("/api/me").then((r) => r.json()));
  return (me as { subject: string }).subject;
}

export async function waitOnline(page: Page): Promise<void> {
  await page
    .locator('[data-testid="connection-status"][data-status="online"]')
    .waitFor({ timeout: 15_000 });
}

/** "#rrggbb" as getComputedStyle writes it. */
export function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
