import { describe, expect, it } from "vitest";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { launchChromium } from "../helpers/browser.ts";
import { LOADER, seedLongIncident } from "../helpers/longIncident.ts";
import { measurePage, p95, TYPED_NOTES, typeSlowly } from "../helpers/pagePerf.ts";
import { startTestServer } from "../helpers/testServer.ts";

/**
 * The client on a 10,000-entry incident while chat streams in (issue 14): main-thread
 * time per remote timeline update, and keystroke-to-paint in the notes meanwhile.
 * Generous bounds here (a shared 2-core machine); the figures are printed for the record.
 */

const ENTRIES = 10_000;
const RATE_PER_S = 10;
const STREAM_MS = 5000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
};
const round = (x: number) => Math.round(x * 10) / 10;

describe("a 10,000-entry incident in a real browser while chat streams in", () => {
  it("keeps remote updates cheap on the main thread and typing in the notes quick", async () => {
    const server = await startTestServer();
    const browser = await launchChromium();
    try {
      const { key, url } = await seedLongIncident(server, {
        summary: "Big one",
        severity: 1,
        entries: ENTRIES,
      });
      const page = await (
        await browser.newContext({ viewport: { width: 1400, height: 1000 } })
      ).newPage();
      const perf = await measurePage(page);

      // Whether the notes editor was already built when the timeline first showed: it is
      // built after the first paint, so as not to hold the timeline back (130 ms here).
      await page.addInitScript(() => {
        const seen = window as unknown as { notesBeforeTimeline?: boolean };
        new MutationObserver((_, observer) => {
          if (!document.querySelector('[data-testid="timeline"][data-count]')) return;
          seen.notesBeforeTimeline = !!document.querySelector('[data-testid="notes-content"]');
          observer.disconnect();
        }).observe(document, { subtree: true, childList: true, attributes: true });
      });
      const opened = Date.now();
      await page.goto(url);
      await page
        .locator(`[data-testid="timeline"][data-count="${ENTRIES + 1}"]`)
        .waitFor({ timeout: 30_000 });
      const openMs = Date.now() - opened;
      const notes = page.getByTestId("notes-content");
      await notes.waitFor({ timeout: 5000 });
      expect(
        await page.evaluate(
          () => (window as unknown as { notesBeforeTimeline?: boolean }).notesBeforeTimeline,
        ),
      ).toBe(false);

      let written = 0;
      /** Writes RATE_PER_S entries a second on the server, one transaction each, for `ms`. */
      const stream = async (ms: number, label: string) => {
        const n = Math.round((ms / 1000) * RATE_PER_S);
        const start = Date.now();
        for (let i = 0; i < n; i++) {
          const due = start + (i * 1000) / RATE_PER_S;
          await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
          await server.hotdoc.incidents.write(key, LOADER, (doc) => {
            appendTimelineEntry(doc, {
              author: "stream",
              source: "slack",
              kind: "chat",
              text: `${label} ${i}`,
            });
          });
          written++;
        }
        return n;
      };
      const shown = (count: number) =>
        page
          .locator(`[data-testid="timeline"][data-count="${count}"]`)
          .waitFor({ timeout: 10_000 });

      // Let the page settle after opening, then measure an idle stretch as the baseline.
      const idlePerS = await perf.idleMsPerS();

      // Phase 1: the stream alone. Main-thread time per update = (task time − idle) / updates.
      const marks0 = await perf.updateMarks();
      const before = await perf.taskMs();
      const t0 = Date.now();
      const updates = await stream(STREAM_MS, "streamed");
      await shown(ENTRIES + 1 + written);
      const elapsedS = (Date.now() - t0) / 1000;
      const streamTaskMs = (await perf.taskMs()) - before;
      const perUpdateMs = Math.max(0, streamTaskMs - idlePerS * elapsedS) / updates;
      // Per-update handler time, where the client marks it (around reading the changed state).
      const handlerMs = await perf.updateMarkMs(marks0);

      // Phase 2: the stream again, while someone types in the notes (keystroke-to-paint).
      await notes.click();
      await perf.probeKeyToPaint();
      const typed = TYPED_NOTES;
      const typing = typeSlowly(page, typed);
      await Promise.all([stream(STREAM_MS, "while typing"), typing]);
      await shown(ENTRIES + 1 + written);
      await expect.poll(() => notes.textContent(), { timeout: 5000 }).toContain(typed.trim());
      const keyToPaint = await perf.keyToPaintMs();
      const longTasks = await perf.longTaskMs();

      const figures = {
        entries: ENTRIES,
        openMs,
        updates,
        idleMainThreadMsPerS: round(idlePerS),
        mainThreadMsPerUpdate: round(perUpdateMs),
        handlerMarks: handlerMs.length,
        handlerMsMedian: round(median(handlerMs)),
        handlerMsP95: round(p95(handlerMs)),
        keystrokes: keyToPaint.length,
        keyToPaintMsMedian: round(median(keyToPaint)),
        keyToPaintMsP95: round(p95(keyToPaint)),
        longTasks: longTasks.length,
        longestTaskMs: round(Math.max(0, ...longTasks)),
      };
      console.log(`FIGURES ${JSON.stringify(figures)}`);

      // Generous bounds for a noisy shared machine. Before the incremental reader (whole
      // document re-read and re-validated per update) this measured 90 ms of main-thread
      // time per update and a 68 ms median handler. Whole main-thread time includes
      // layout and paint, which a loaded CI machine stretches (51 ms once on a slow day,
      // 27 ms in the bench that day): its bound sits between that and the old 90 ms; the
      // handler's own bound below is the tighter guard against re-reading everything.
      expect(perUpdateMs).toBeLessThan(75);
      expect(handlerMs.length).toBeGreaterThan(0);
      expect(median(handlerMs)).toBeLessThan(30);
      expect(keyToPaint.length).toBe(typed.length);
      expect(median(keyToPaint)).toBeLessThan(100);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 180_000);
});
