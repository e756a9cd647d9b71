import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

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
