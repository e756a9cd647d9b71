import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";
import { artifactPath, launchChromium } from "../helpers/browser.ts";
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
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.setContent(html);
    expect(await page.locator("h1").innerText()).toBe("HOT-42 - Checkout fails for EU customers");
    expect(await page.locator("table.timeline tbody tr").count()).toBeGreaterThan(20);
    expect(await page.locator(".warning").count()).toBe(2);
    await page.screenshot({ path: artifactPath("postmortem-html.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await page.context().close();
  });

  it("exports from the incident page and shows the document as it stood at a past instant", async () => {
    const key = (await server.api("POST", "/api/incidents", { summary: "History in the browser", severity: 3 })).body.key;
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "early entry" });
    const link = await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer", name: "Reviewer" });
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const page = await context.newPage();
    await page.goto(link.body.url);
    await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor({ timeout: 15_000 });
    // A later entry, after the page opened: the slider's oldest position must not show it.
    await server.api("POST", `/api/incidents/${key}/timeline`, { text: "late entry" });
    await page.locator('[data-testid="timeline-entry"]', { hasText: "late entry" }).waitFor({ timeout: 2000 });

    const opened = context.waitForEvent("page");
    await page.getByTestId("export-button").click();
    const exported = await opened;
    await exported.waitForLoadState();
    expect(await exported.locator("h1").innerText()).toBe(`${key} - History in the browser`);

    await page.getByTestId("history-slider").fill("0");
    await page.getByTestId("history-view").waitFor({ timeout: 5000 });
    await page.locator('[data-testid="history-view"] [data-testid="timeline-entry"]').first().waitFor({ timeout: 5000 });
    const past = await page.locator('[data-testid="history-view"]').innerText();
    expect(past).toContain("Incident declared: History in the browser");
    expect(past).not.toContain("late entry");
    await page.screenshot({ path: artifactPath("history-view.png"), fullPage: false });
    await page.getByTestId("history-live").click();
    await page.locator('[data-testid="timeline-entry"]', { hasText: "late entry" }).waitFor({ timeout: 2000 });
    await context.close();
  });
});
