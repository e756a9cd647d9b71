import type { Page } from "playwright-core";

/**
 * Main-thread measuring on a page in Chromium, shared by test/e2e/bigIncidentPerf.test.ts
 * (loose bounds) and the bench's client scenario (figures against the targets).
 */

/** The mark the client puts around handling one incident update. */
const UPDATE_MARK = "hotdoc:incident-update";

/** What someone types into the notes while updates stream in. */
export const TYPED_NOTES = "the cache layer is the suspect here ".repeat(3);

export const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
};

export interface PagePerf {
  /** Main-thread task time so far, ms (Chromium's own counter over every task of the renderer's main thread). */
  taskMs(): Promise<number>;
  /** Task time per second of an idle stretch: 1 s to settle, then 2 s measured. */
  idleMsPerS(): Promise<number>;
  /** How many update marks the client has made so far. */
  updateMarks(): Promise<number>;
  /** Durations of the update marks after the first `skip`. */
  updateMarkMs(skip: number): Promise<number[]>;
  /**
   * Starts timing keystroke-to-paint: from the key event's timestamp to a task after the
   * first animation frame after its handlers ran (the frame has been produced by then).
   */
  probeKeyToPaint(): Promise<void>;
  keyToPaintMs(): Promise<number[]>;
  /** Durations of the long tasks (> 50 ms) since the page's first script. */
  longTaskMs(): Promise<number[]>;
}

/** Sets the probes up on a page not yet opened (the long-task observer must run first). */
export async function measurePage(page: Page): Promise<PagePerf> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const taskMs = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return 1000 * (metrics.find((m) => m.name === "TaskDuration")?.value ?? 0);
  };
  return {
    taskMs,
    async idleMsPerS() {
      await page.waitForTimeout(1000);
      const idle0 = await taskMs();
      await page.waitForTimeout(2000);
      return ((await taskMs()) - idle0) / 2;
    },
    updateMarks: () =>
      page.evaluate((name) => performance.getEntriesByName(name).length, UPDATE_MARK),
    updateMarkMs: (skip) =>
      page.evaluate(
        ([name, from]) =>
          performance
            .getEntriesByName(name)
            .slice(from)
            .map((e) => e.duration),
        [UPDATE_MARK, skip] as const,
      ),
    probeKeyToPaint: () =>
      page.evaluate(() => {
        const w = window as unknown as { __keyToPaint: number[] };
        w.__keyToPaint = [];
        document.addEventListener(
          "keydown",
          (e) => {
            const start = e.timeStamp;
            requestAnimationFrame(() =>
              setTimeout(() => w.__keyToPaint.push(performance.now() - start), 0),
            );
          },
          { capture: true },
        );
      }),
    keyToPaintMs: () =>
      page.evaluate(() => (window as unknown as { __keyToPaint: number[] }).__keyToPaint),
    longTaskMs: () =>
      page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks),
  };
}

/** Types `text` into the focused element one key at a time, 40 ms apart. */
export async function typeSlowly(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    await page.keyboard.type(ch);
    await page.waitForTimeout(40);
  }
}
