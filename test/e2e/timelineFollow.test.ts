import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { launchChromium, waitOnline } from "../helpers/browser.ts";
import { LOADER } from "../helpers/longIncident.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/**
 * The timeline follows new entries while the reader is at its end and stays put once
 * they scrolled up, in a real browser, over a timeline far longer than its box.
 */

const ENTRIES = 400;

describe("the timeline following new entries", () => {
  let server: TestServer;
  let key: string;
  let url: string;
  let added = 0;
  let browser: Browser;

  const addEntry = (text: string) =>
    server.hotdoc.incidents.write(key, LOADER, (doc) => {
      appendTimelineEntry(doc, { author: "alertbot", text, kind: "note" });
    });

  beforeAll(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Long timeline", severity: 2 }))
      .body.key;
    await server.hotdoc.incidents.write(key, LOADER, (doc) => {
      for (let i = 0; i < ENTRIES; i++)
        appendTimelineEntry(
          doc,
          // Some entries wrap to several lines, so rows are not all the estimated height.
          {
            author: `user${i % 5}`,
            text: `entry ${i} ${i % 9 === 0 ? "long ".repeat(60) : ""}`,
            kind: "note",
          },
          new Date(Date.UTC(2026, 10, 20, 10) + i * 1000),
        );
    });
    url = (
      await server.api("POST", `/api/incidents/${key}/links`, { role: "responder", name: "Ana" })
    ).body.url;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Entries on the incident: those seeded, its own "declared" entry, and those added since. */
  const count = () => ENTRIES + 1 + added;
  /** Until `page` shows every entry written so far. */
  const allShown = (page: Page) =>
    page.locator(`[data-testid="timeline"][data-count="${count()}"]`).waitFor();
  /** Writes an entry and waits until `page` shows it. */
  const addShown = async (page: Page, text: string) => {
    await addEntry(text);
    added++;
    await allShown(page);
  };

  /** Ana's page on the incident, online. */
  async function openPage(): Promise<Page> {
    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 1000 } })
    ).newPage();
    await page.goto(url);
    await waitOnline(page);
    return page;
  }

  it("opens at the newest entry, shows each new one at the bottom, and stays put when scrolled up", async () => {
    const page = await openPage();
    try {
      const timeline = page.getByTestId("timeline");
      await allShown(page);
      /** Whether the entry with `text` is inside the scroller's visible box. */
      const inView = (text: string) =>
        timeline.evaluate((el, t) => {
          const box = el.getBoundingClientRect();
          const row = [...el.querySelectorAll(".timeline-slot")].find((r) =>
            r.textContent?.includes(t),
          );
          if (!row) return false;
          const r = row.getBoundingClientRect();
          return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
        }, text);
      const gapToEnd = () =>
        timeline.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

      await expect.poll(() => inView(`entry ${ENTRIES - 1} `)).toBe(true);
      for (let i = 0; i < 5; i++) {
        const text = `live ${i} ${i % 2 === 0 ? "wrapping ".repeat(50) : ""}`;
        await addShown(page, text);
        await expect.poll(() => inView(`live ${i} `)).toBe(true);
        await expect.poll(gapToEnd).toBeLessThan(2);
      }

      // Scrolled up to read: new entries arrive without moving the view.
      await timeline.evaluate((el) => {
        el.scrollTop = el.scrollHeight / 2;
      });
      await page.waitForTimeout(200);
      const top = await timeline.evaluate((el) => el.scrollTop);
      await addShown(page, "while reading");
      await page.waitForTimeout(300);
      expect(await timeline.evaluate((el) => el.scrollTop)).toBe(top);
      expect(await inView("while reading")).toBe(false);

      // Back at the end, it follows again.
      await timeline.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(200);
      await addEntry("following again");
      added++;
      await expect.poll(() => inView("following again")).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it("a new entry re-renders no form field on the page", async () => {
    // React sets a field's name and type again whenever its component re-renders, which
    // dirties the layout of the whole page: an entry used to re-render the header's,
    // the filters' and the quick-add form's fields.
    const page = await openPage();
    try {
      await allShown(page);
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { fieldChanges: string[] }).fieldChanges = seen;
        new MutationObserver((records) => {
          for (const record of records) {
            const field = record.target as Element;
            // The history bar's slider follows a clock of its own (every 5 s), not entries.
            if (field.closest('[data-testid="history-bar"]')) continue;
            seen.push(`${field.getAttribute("data-testid")} ${record.attributeName}`);
          }
        }).observe(document.body, {
          subtree: true,
          attributes: true,
          attributeFilter: ["name", "type"],
        });
      });
      for (let i = 0; i < 3; i++) {
        await addShown(page, `no fields ${i}`);
      }
      await page.waitForTimeout(200);
      expect(
        await page.evaluate(() => (window as unknown as { fieldChanges: string[] }).fieldChanges),
      ).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("a new entry lays out the timeline, not the whole page, and its count stays whole", async () => {
    // The heading's entry count used to be text in the page's flow: each entry laid out
    // the whole document again (about 1.3 ms at 10,000 entries). Chromium's own trace
    // names each layout's roots; a clock tick elsewhere may take one whole layout.
    const page = await openPage();
    try {
      await allShown(page);
      await page.waitForTimeout(300);
      const file = path.join(os.tmpdir(), `hotdoc-layout-${process.pid}.json`);
      await browser.startTracing(page, { path: file, categories: ["devtools.timeline"] });
      const entries = 5;
      for (let i = 0; i < entries; i++) {
        await addShown(page, `laid out ${i}`);
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
      }
      await browser.stopTracing();
      const trace = JSON.parse(fs.readFileSync(file, "utf8"));
      fs.rmSync(file, { force: true });
      const events: {
        name: string;
        args?: { endData?: { layoutRoots?: { nodeName: string }[] } };
      }[] = Array.isArray(trace) ? trace : trace.traceEvents;
      const roots = events
        .filter((e) => e.name === "Layout")
        .map((e) => (e.args?.endData?.layoutRoots ?? []).map((r) => r.nodeName));
      // The new rows were laid out, inside the timeline's scroller.
      expect(roots.some((r) => r.some((n) => n.includes("timeline-scroll")))).toBe(true);
      expect(roots.filter((r) => r.includes("#document")).length).toBeLessThanOrEqual(1);

      // Its box fits the count, as "shown of all" too.
      const fits = () =>
        page
          .locator(".timeline-count")
          .evaluate((el) => ({ text: el.textContent, fits: el.scrollWidth <= el.clientWidth }));
      expect(await fits()).toEqual({ text: String(count()), fits: true });
      await page.getByTestId("filter-kind").selectOption("note");
      await expect.poll(fits).toEqual({ text: `${count() - 1} of ${count()}`, fits: true });
    } finally {
      await page.context().close();
    }
  });
});
