import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { HEARTBEAT_SILENCE_MS } from "#shared/heartbeat.ts";
import { artifactPath, waitOnline } from "../helpers/browser.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/** The bound: a dead network shows within 5 s of the cut. */
const DETECT_MS = 5000;

describe("the incident page is honest about the network", () => {
  const suite = browserSuite();
  let key: string;

  beforeAll(async () => {
    key = (
      await suite.server.api("POST", "/api/incidents", {
        summary: "Checkout fails for EU customers",
        severity: 2,
        startedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
      })
    ).body.key;
  });

  async function link(role: "responder" | "viewer", name: string) {
    const response = await suite.server.api("POST", `/api/incidents/${key}/links`, { role, name });
    expect(response.status).toBe(201);
    return response.body as { id: string; url: string };
  }

  const timelineTexts = async (): Promise<string[]> =>
    (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.map(
      (e: { text: string }) => e.text,
    );

  const status = (page: Page) => page.getByTestId("connection-status");
  const unsaved = (page: Page) => page.getByTestId("connection-unsaved");

  /**
   * A network that can go dead like a lost Wi-Fi: while it is down, every frame either
   * way is dropped and nothing is closed, for the sockets already open and for new ones.
   * Chromium's own offline switch cannot do this: it leaves open websockets alone.
   */
  async function blackHoleable(context: BrowserContext): Promise<{ up: boolean }> {
    const network = { up: true };
    await context.routeWebSocket(/\/collab$/, (page) => {
      const server = page.connectToServer();
      page.onMessage((message) => {
        if (network.up) server.send(message);
      });
      server.onMessage((message) => {
        if (network.up) page.send(message);
      });
      page.onClose((code, reason) => {
        if (network.up) void server.close({ code, reason });
      });
      server.onClose((code, reason) => {
        if (network.up) void page.close({ code, reason });
      });
    });
    return network;
  }

  it("a dead network shows within 5 s, counts the changes it holds, and saves them when it is back", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const network = await blackHoleable(context);
    const page = await context.newPage();
    await page.goto((await link("responder", "Alice")).url);
    const viewerContext = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    const viewer = await viewerContext.newPage();
    await viewer.goto((await link("viewer", "Stakeholder")).url);
    await Promise.all([waitOnline(page), waitOnline(viewer)]);
    // Idle for longer than a page may go without hearing from the server: the heartbeat
    // keeps both the responder's and the viewer's page online, without a single blink.
    for (const p of [page, viewer]) await recordStatuses(p);
    await page.waitForTimeout(HEARTBEAT_SILENCE_MS + 1000);
    for (const p of [page, viewer]) expect(await statusesSeen(p)).toEqual([]);
    await viewerContext.close();
    // Online and idle, nothing is waiting: no count is shown.
    expect(await unsaved(page).count()).toBe(0);

    network.up = false;
    const cut = Date.now();
    await page
      .locator('[data-testid="connection-status"]:not([data-status="online"])')
      .waitFor({ timeout: DETECT_MS });
    const detectedMs = Date.now() - cut;
    fs.writeFileSync(
      artifactPath("connection-dead-network.txt"),
      `status left "online" ${detectedMs} ms after the network went dead (bound ${DETECT_MS} ms)\n`,
    );
    expect(detectedMs).toBeLessThan(DETECT_MS);

    const text = "typed into a dead network";
    await page.getByTestId("quick-add-text").fill(text);
    await page.getByTestId("quick-add-submit").click();
    await page.locator('[data-testid="timeline-entry"]', { hasText: text }).waitFor();
    await unsaved(page).waitFor({ timeout: 1000 });
    expect(await unsaved(page).getAttribute("data-count")).toBe("1");
    expect(await unsaved(page).innerText()).toBe("1 change not yet saved");
    expect(await status(page).getAttribute("data-status")).not.toBe("online");
    await page.screenshot({ path: artifactPath("connection-offline-unsaved.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: artifactPath("connection-offline-unsaved-phone.png") });
    expect(await timelineTexts()).not.toContain(text);

    network.up = true;
    await page
      .locator('[data-testid="connection-status"][data-status="online"]')
      .waitFor({ timeout: 20_000 });
    await unsaved(page).waitFor({ state: "detached", timeout: 5000 });
    expect(await timelineTexts()).toContain(text);
    expect((await timelineTexts()).filter((t) => t === text)).toHaveLength(1);
    await context.close();
  }, 60_000);

  it("takes the browser's own word that the machine is offline, and reconnects as soon as it is back", async () => {
    const page = await openIncident(suite, key, { role: "responder", name: "Bob" });
    const context = page.context();
    await context.setOffline(true);
    await page
      .locator('[data-testid="connection-status"][data-status="offline"]')
      .waitFor({ timeout: 1000 });
    await context.setOffline(false);
    await page
      .locator('[data-testid="connection-status"][data-status="online"]')
      .waitFor({ timeout: 3000 });
    await context.close();
  });

  it("a revoked link says so at the top of the page and leaves nothing that looks editable", async () => {
    const temp = await link("responder", "Temp");
    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(temp.url);
    await waitOnline(page);
    await page.getByTestId("quick-add-text").waitFor();
    // Scrolled down to the notes, as someone mid-incident would be.
    await page.getByTestId("notes-editor").scrollIntoViewIfNeeded();
    expect(
      (await suite.server.api("DELETE", `/api/incidents/${key}/links/${temp.id}`)).status,
    ).toBe(204);

    const banner = page.getByTestId("signed-out");
    await banner.waitFor({ timeout: 10_000 });
    const alert = banner.getByRole("alert");
    expect(await alert.innerText()).toContain("The access link has been revoked.");
    expect(await alert.innerText()).toContain("Nothing can be changed on this page");
    // What to do: the link to sign in again with, right there.
    expect(await banner.getByTestId("relink-input").isEditable()).toBe(true);
    // First on the page, and in view at the top wherever the page is scrolled to.
    expect(
      await page.getByTestId("incident-page").evaluate((main) => main.firstElementChild?.outerHTML),
    ).toContain('data-testid="signed-out"');
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    const top = await banner.evaluate((element) => element.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(100);
    await page.screenshot({ path: artifactPath("connection-revoked-banner.png") });

    // What still takes input only changes what this page shows, never the incident.
    expect(await page.locator('[contenteditable="true"]').count()).toBe(0);
    expect(await editControls(page)).toEqual([]);
    await context.close();
  }, 60_000);
});

/** From now on, every status the page's connection indicator takes is kept (see `statusesSeen`). */
async function recordStatuses(page: Page): Promise<void> {
  await page.getByTestId("connection-status").evaluate((element) => {
    const seen: string[] = [];
    (window as unknown as { statusesSeen: string[] }).statusesSeen = seen;
    new MutationObserver(() => {
      seen.push(element.getAttribute("data-status") ?? "");
    }).observe(element, { attributes: true, attributeFilter: ["data-status"] });
  });
}

function statusesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);
}

/**
 * The enabled form controls and buttons on the incident page, outside the session
 * banner (its link form is how to carry on), that are not marked `data-view-control`
 * (time travel, export, filters: they change what this page shows, never the incident),
 * each named by its test id or, failing that, its text.
 */
function editControls(page: Page): Promise<string[]> {
  return page.getByTestId("incident-page").evaluate((main) => {
    const found: string[] = [];
    for (const element of main.querySelectorAll<HTMLElement>("input, textarea, select, button")) {
      if (element.closest('[data-testid="signed-out"], [hidden]')) continue;
      if ((element as HTMLInputElement).disabled || element.hasAttribute("data-view-control")) {
        continue;
      }
      found.push(element.dataset.testid ?? `${element.tagName}: ${element.textContent?.trim()}`);
    }
    return found;
  });
}
