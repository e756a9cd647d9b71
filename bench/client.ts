/**
 * The client scenario's browser half: headless Chromium on a big incident while entries
 * stream in. The probes (CDP TaskDuration, the keydown → animation frame → task probe)
 * are test/helpers/pagePerf.ts, which test/e2e/bigIncidentPerf.test.ts also uses to
 * assert loose bounds on the same figures; here they are recorded against the targets.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../test/helpers/browser.ts";
import { measurePage, p95, TYPED_NOTES, typeSlowly } from "../test/helpers/pagePerf.ts";
import { median } from "./load.ts";

export interface ClientFigures {
  openMs: number;
  updates: number;
  idleMsPerS: number;
  /** Median over 100 ms windows (one update each) of main-thread task time less idle. */
  perUpdateMedianMs: number;
  perUpdateMeanMs: number;
  handlerMedianMs: number;
  keystrokes: number;
  keyToPaintMedianMs: number;
  keyToPaintP95Ms: number;
  longTasks: number;
  longestTaskMs: number;
}

/** gzip bytes of every JS asset a build wrote to `dir` (hotdoc's: dist/client), summed. */
export function shippedJsGzipBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.m?js$/.test(file)) continue;
    bytes += gzipSync(fs.readFileSync(path.join(dir, file)), { level: 9 }).byteLength;
    files++;
  }
  return { bytes, files };
}

/**
 * Starts recording the page, for profiling by hand: Chromium's own CPU profile into
 * `profileTo` (a .cpuprofile) and its timeline trace into `traceTo` (JSON), either or
 * neither; the bare page's go next to hotdoc's, named with `side`. The returned function stops both and writes them.
 */
async function record(
  browser: Browser,
  page: Page,
  profileTo: string | undefined,
  traceTo: string | undefined,
  side: string,
): Promise<() => Promise<void>> {
  // "/tmp/stream.json" for the bare page becomes "/tmp/stream.bare.json".
  const named = (file: string | undefined) =>
    file && side !== "hotdoc" ? file.replace(/(\.[^./]*)?$/, `.${side}$1`) : file;
  const profileFile = named(profileTo);
  const traceFile = named(traceTo);
  const profiler = profileFile ? await page.context().newCDPSession(page) : null;
  if (profiler) {
    await profiler.send("Profiler.enable");
    await profiler.send("Profiler.start");
  }
  if (traceFile)
    await browser.startTracing(page, {
      path: traceFile,
      categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"],
    });
  return async () => {
    if (traceFile) await browser.stopTracing();
    if (profiler && profileFile) {
      const { profile } = await profiler.send("Profiler.stop");
      fs.writeFileSync(profileFile, JSON.stringify(profile));
    }
  };
}

/**
 * Opens `pageUrl`, waits for the timeline to show `count` entries, then streams `rate`
 * entries a second through `appendOne` for `streamMs` (alone, then again while typing).
 */
export async function measureClient(options: {
  /** Which page this is: recordings by hand get it before their extension. */
  side: "hotdoc" | "bare";
  pageUrl: string;
  count: number;
  appendOne: (label: string) => void;
  rate: number;
  streamMs: number;
}): Promise<ClientFigures> {
  const { pageUrl, appendOne, rate, streamMs } = options;
  const browser = await launchChromium();
  try {
    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 1000 } })
    ).newPage();
    const perf = await measurePage(page);
    const { taskMs } = perf;
    const shown = (n: number, timeout: number) =>
      page.locator(`[data-testid="timeline"][data-count="${n}"]`).waitFor({ timeout });

    // BENCH_CLIENT_LOAD_PROFILE / BENCH_CLIENT_LOAD_TRACE: from navigation until the timeline is shown.
    const stopLoadRecording = await record(
      browser,
      page,
      process.env.BENCH_CLIENT_LOAD_PROFILE,
      process.env.BENCH_CLIENT_LOAD_TRACE,
      options.side,
    );
    const opened = performance.now();
    await page.goto(pageUrl);
    await shown(options.count, 30_000);
    const openMs = performance.now() - opened;
    await stopLoadRecording();
    const notes = page.getByTestId("notes-content");
    await notes.waitFor({ timeout: 5000 });

    let count = options.count;
    /** `rate` updates a second; returns the main-thread task time of each 1/rate window. */
    const stream = async (label: string) => {
      const n = Math.round((streamMs / 1000) * rate);
      const windows: number[] = [];
      const start = performance.now();
      let last = await taskMs();
      for (let i = 0; i < n; i++) {
        const due = start + (i * 1000) / rate;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        const now = await taskMs();
        if (i > 0) windows.push(now - last);
        last = now;
        appendOne(`${label} ${i}`);
        count++;
      }
      await shown(count, 10_000);
      return { n, windows, elapsedS: (performance.now() - start) / 1000 };
    };

    const idlePerS = await perf.idleMsPerS();

    const marks0 = await perf.updateMarks();
    // BENCH_CLIENT_PROFILE / BENCH_CLIENT_TRACE: over the stream.
    const stopStreamRecording = await record(
      browser,
      page,
      process.env.BENCH_CLIENT_PROFILE,
      process.env.BENCH_CLIENT_TRACE,
      options.side,
    );
    const before = await taskMs();
    const streamed = await stream("streamed");
    await stopStreamRecording();
    const streamTaskMs = (await taskMs()) - before;
    const perUpdateMeanMs = Math.max(0, streamTaskMs - idlePerS * streamed.elapsedS) / streamed.n;
    const idlePerWindow = idlePerS / rate;
    const perUpdateMedianMs = Math.max(0, median(streamed.windows) - idlePerWindow);
    const handlerMs = await perf.updateMarkMs(marks0);

    await notes.click();
    await perf.probeKeyToPaint();
    await Promise.all([stream("while typing"), typeSlowly(page, TYPED_NOTES)]);
    const keyToPaint = await perf.keyToPaintMs();
    const longTasks = await perf.longTaskMs();
    return {
      openMs,
      updates: streamed.n,
      idleMsPerS: idlePerS,
      perUpdateMedianMs,
      perUpdateMeanMs,
      handlerMedianMs: median(handlerMs),
      keystrokes: keyToPaint.length,
      keyToPaintMedianMs: median(keyToPaint),
      keyToPaintP95Ms: p95(keyToPaint),
      longTasks: longTasks.length,
      longestTaskMs: Math.max(0, ...longTasks),
    };
  } finally {
    await browser.close();
  }
}

/**
 * Builds bench/bareClient.ts (vite, no plugins, minified like hotdoc's build) into a
 * temporary directory and serves it on 127.0.0.1: the baseline page for the client
 * scenario. Its address takes the bare server's websocket and the document's name.
 */
export async function startBareClientPage(): Promise<{
  pageUrl(wsUrl: string, doc: string): string;
  dir: string;
  stop(): Promise<void>;
}> {
  const { build } = await import("vite");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hotdoc-bare-page-"));
  await build({
    configFile: false,
    logLevel: "warn",
    root: import.meta.dirname,
    build: {
      outDir: dir,
      emptyOutDir: true,
      rollupOptions: {
        input: path.join(import.meta.dirname, "bareClient.ts"),
        output: { entryFileNames: "bare.js" },
      },
    },
  });
  fs.writeFileSync(
    path.join(dir, "index.html"),
    '<!doctype html><html><head><meta charset="utf-8"><title>bare</title></head><body><script type="module" src="/bare.js"></script></body></html>',
  );
  const server = http.createServer((request, response) => {
    const file =
      new URL(request.url ?? "/", "http://x").pathname === "/bare.js" ? "bare.js" : "index.html";
    response.writeHead(200, {
      "content-type": file === "bare.js" ? "text/javascript" : "text/html",
    });
    response.end(fs.readFileSync(path.join(dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    pageUrl: (wsUrl, doc) =>
      `http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsUrl)}&doc=${encodeURIComponent(doc)}`,
    dir,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
