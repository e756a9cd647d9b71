import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";
import { artifactPath, launchChromium } from "../helpers/browser.ts";
import { HOSTILE_URLS, SAFE_URL, writeHostileNotes } from "../helpers/hostileDoc.ts";
import { realisticIncident } from "../helpers/realisticIncident.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("the postmortem and history in a real browser", () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("renders the HTML export as a page and prints it to PDF", async () => {
    const html = render(buildPostmortem(realisticIncident()), "html");
    const page = await (
      await browser.newContext({ viewport: { width: 1100, height: 900 } })
    ).newPage();
    await page.setContent(html);
    expect(await page.locator("h1").innerText()).toBe("HOT-42 - Checkout fails for EU customers");
    expect(await page.locator("table.timeline tbody tr").count()).toBeGreaterThan(20);
    expect(await page.locator(".warning").count()).toBe(2);
    await page.screenshot({ path: artifactPath("postmortem-html.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await page.context().close();
  });

  it("a hostile document's HTML export has only http, https and mailto links once a browser has parsed it, and runs no script", async () => {
    const doc = realisticIncident();
    writeHostileNotes(doc);
    const html = render(buildPostmortem(doc), "html");
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.setContent(html);
    const found = await page.evaluate(() => ({
      protocols: [...document.querySelectorAll("a")].map((a) => a.protocol),
      hrefs: [...document.querySelectorAll("a")].map((a) => a.href),
      scripts: document.querySelectorAll("script, iframe, object, embed, img, svg").length,
      handlers: [...document.querySelectorAll("*")]
        .flatMap((el) => [...el.attributes].map((a) => a.name))
        .filter((name) => name.startsWith("on")),
    }));
    expect(new Set(found.protocols)).toEqual(new Set(["https:"]));
    expect(found.hrefs).toContain(SAFE_URL);
    expect(found.scripts).toBe(0);
    expect(found.handlers).toEqual([]);
    // Clicking every link text the attacker wrote does nothing: it is not a link.
    for (let i = 0; i < HOSTILE_URLS.length; i++)
      await page
        .locator("p", { hasText: `before ${i} click me ${i} after` })
        .click({ timeout: 2000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("exports from the incident page and shows the document as it stood at a past instant", async () => {
    const key = (
      await server.api("POST", "/api/incidents", { summary: "History in the browser", severity: 3 })
    ).body.key;
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "early entry" });
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "viewer",
      name: "Reviewer",
    });
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const page = await context.newPage();
    await page.goto(link.body.url);
    await page
      .locator('[data-testid="connection-status"][data-status="online"]')
      .waitFor({ timeout: 15_000 });
    // A later entry, after the page opened: the slider's oldest position must not show it.
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "late entry" });
    await page
      .locator('[data-testid="timeline-entry"]', { hasText: "late entry" })
      .waitFor({ timeout: 2000 });

    // The export is downloaded, never opened in the app's origin (where a page acts with
    // the signed-in session): no page opens, and the saved file renders on its own, from disk.
    let pagesOpened = 0;
    context.on("page", () => pagesOpened++);
    const downloaded = page.waitForEvent("download", { timeout: 15_000 });
    await page.getByTestId("export-button").click();
    const download = await downloaded;
    expect(download.suggestedFilename()).toBe(`${key}-postmortem.html`);
    const file = artifactPath(`${key}-postmortem.html`);
    await download.saveAs(file);
    expect(pagesOpened).toBe(0);
    const viewer = await browser.newContext();
    const fromDisk = await viewer.newPage();
    await fromDisk.goto(pathToFileURL(file).href);
    expect(await fromDisk.locator("h1").innerText()).toBe(`${key} - History in the browser`);
    await viewer.close();

    await page.getByTestId("history-slider").fill("0");
    await page.getByTestId("history-view").waitFor({ timeout: 5000 });
    await page
      .locator('[data-testid="history-view"] [data-testid="timeline-entry"]')
      .first()
      .waitFor({ timeout: 5000 });
    const past = await page.locator('[data-testid="history-view"]').innerText();
    expect(past).toContain("Incident declared: History in the browser");
    expect(past).not.toContain("late entry");
    await page.screenshot({ path: artifactPath("history-view.png"), fullPage: false });
    await page.getByTestId("history-live").click();
    await page
      .locator('[data-testid="timeline-entry"]', { hasText: "late entry" })
      .waitFor({ timeout: 2000 });
    await context.close();
  });
});
