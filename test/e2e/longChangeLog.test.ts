import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordChange } from "#shared/doc/index.ts";
import { launchChromium, waitOnline } from "../helpers/browser.ts";
import { LOADER } from "../helpers/longIncident.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/**
 * A long change log in a real browser: the table shows the newest 100 changes and the
 * still-to-revert list the newest 20, each with a way to see the rest, while the counts
 * and the copied revert plan cover every change.
 */

const CHANGES = 250;
/** Every fifth change is still applied (to revert); the others are reverted. */
const PENDING = CHANGES / 5;

describe("a long change log in a real browser", () => {
  let server: TestServer;
  let key: string;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Many changes", severity: 2 }))
      .body.key;
    await server.hotdoc.incidents.write(key, LOADER, (doc) => {
      for (let i = 0; i < CHANGES; i++) {
        recordChange(doc, {
          author: `user${i % 7}`,
          what: `change ${i}`,
          state: i % 5 === 0 ? "applied" : "reverted",
          revertSteps: `undo ${i}`,
          at: new Date(Date.UTC(2026, 10, 20, 10) + i * 60_000).toISOString(),
        });
      }
    });
    url = (
      await server.api("POST", `/api/incidents/${key}/links`, { role: "responder", name: "Ana" })
    ).body.url;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it("renders the newest changes first and the rest on request, and counts every one", async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const page = await context.newPage();
      await page.goto(url);
      await waitOnline(page);
      const log = page.getByTestId("change-log");
      await log.and(page.locator(`[data-count="${CHANGES}"]`)).waitFor({ timeout: 10_000 });
      const rowTexts = () =>
        log.getByTestId("change-row").locator("td:nth-child(3)").allInnerTexts();

      // The table: the newest 100, oldest of them first, and the rest counted.
      let rows = await rowTexts();
      expect(rows).toHaveLength(100);
      expect(rows[0]).toContain(`change ${CHANGES - 100}`);
      expect(rows[99]).toContain(`change ${CHANGES - 1}`);
      await expect
        .poll(() => log.getByTestId("changes-earlier").getAttribute("data-hidden"))
        .toBe(String(CHANGES - 100));

      // Still to revert: every pending change counted, the newest 20 listed.
      const pending = page.getByTestId("still-to-revert");
      expect(await pending.getAttribute("data-count")).toBe(String(PENDING));
      expect(await pending.getByTestId("still-to-revert-item").count()).toBe(20);
      // The copied plan has every one of them, not only those listed.
      await pending.getByTestId("copy-revert-plan").click();
      const plan = await page.evaluate(() => navigator.clipboard.readText());
      expect(plan.match(/^\d+\. Undo: /gm)).toHaveLength(PENDING);
      expect(plan).toContain("Undo: change 0 ");
      await pending.getByTestId("still-to-revert-show-all").click();
      await expect.poll(() => pending.getByTestId("still-to-revert-item").count()).toBe(PENDING);

      // A change written now shows at once, at the bottom of the table.
      await server.hotdoc.incidents.write(key, LOADER, (doc) => {
        recordChange(doc, { author: "Ana", what: "change just now", state: "applied" });
      });
      await log.and(page.locator(`[data-count="${CHANGES + 1}"]`)).waitFor({ timeout: 5000 });
      rows = await rowTexts();
      expect(rows).toHaveLength(100);
      expect(rows[99]).toContain("change just now");

      // Earlier ones page in, then all of them.
      await log.getByTestId("changes-show-earlier").click();
      await expect.poll(async () => (await rowTexts()).length).toBe(200);
      await log.getByTestId("changes-show-all").waitFor({ state: "detached", timeout: 5000 });
      await log.getByTestId("changes-show-earlier").click();
      await expect.poll(async () => (await rowTexts()).length).toBe(CHANGES + 1);
      expect((await rowTexts())[0]).toContain("change 0");
      expect(await log.getByTestId("changes-earlier").count()).toBe(0);

      // Opened again, "show all" brings every row at once.
      await page.reload();
      await waitOnline(page);
      await log.getByTestId("changes-show-all").click();
      await expect.poll(async () => (await rowTexts()).length).toBe(CHANGES + 1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
