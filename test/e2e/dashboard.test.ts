import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import { assignRole } from "#shared/doc/index.ts";
import { artifactPath, launchChromium, waitOnline } from "../helpers/browser.ts";
import { withTimeout } from "../helpers/clients.ts";
import {
  startTestServer,
  TEST_LIMITS,
  TEST_TOKEN,
  type TestServer,
  tempDataDir,
} from "../helpers/testServer.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const PHONE = { width: 390, height: 844 };

/** Opens the admin link and gives a name, as the person running the server would. */
async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId("name-prompt").waitFor({ timeout: 15_000 });
  await page.getByTestId("name-input").fill(name);
  await page.getByTestId("name-save").click();
}

describe("the dashboard in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  let busy: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    const declare = async (body: Record<string, unknown>) => {
      const created = await server.api("POST", "/api/incidents", body);
      expect(created.status).toBe(201);
      return created.body.key as string;
    };
    busy = await declare({
      summary:
        "Checkout fails for EU customers after the payments-api release; retries make it worse",
      severity: 1,
      service: "payments-api",
    });
    await server.hotdoc.incidents.write(busy, { ...SYSTEM_PRINCIPAL, name: "Test" }, (doc, actor) =>
      assignRole(doc, { role: "incident_manager", holder: "Priya Natarajan-Venkataraman" }, actor),
    );
    await declare({ summary: "Search is slow", severity: 3 });
    const done = await declare({
      summary: "https://status.example.com/incidents/2026-11-20/a-very-long-address-without-spaces",
      severity: 2,
    });
    expect(
      (await server.api("PATCH", `/api/incidents/${done}`, { status: "resolved" })).status,
    ).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("fits a 390 px phone in both themes: no sideways scroll, every column's information on each card", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: PHONE, colorScheme });
      const page = await context.newPage();
      await signIn(page, `${server.url}/#token=${server.token}`, "Dana Phone");
      await page.getByTestId("incident-row").nth(2).waitFor({ timeout: 15_000 });
      const overflow = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      expect(overflow.inner).toBe(PHONE.width);
      expect(overflow.scroll, `${colorScheme}: the page scrolls sideways`).toBeLessThanOrEqual(
        PHONE.width,
      );
      // Every piece of every row is on screen, inside the phone's width.
      const rows = page.getByTestId("incident-row");
      expect(await rows.count()).toBe(3);
      for (let i = 0; i < 3; i++) {
        const row = rows.nth(i);
        const parts = [
          row.locator(".badge.sev"),
          row.getByTestId("incident-link"),
          row.locator("td.summary"),
          row.locator(".badge.status"),
          row.getByTestId("incident-im"),
          row.locator("td.cell-age"),
          row.getByTestId("incident-last-activity"),
        ];
        for (const part of parts) {
          expect(await part.isVisible()).toBe(true);
          const box = await part.boundingBox();
          expect(box).not.toBeNull();
          expect(box!.x).toBeGreaterThanOrEqual(0);
          expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
        }
      }
      // The column headers are out of sight there, so the cards label what needs a label.
      const card = page.locator(`[data-testid="incident-row"][data-key="${busy}"]`);
      expect(await card.getByTestId("incident-im").innerText()).toBe(
        "IM Priya Natarajan-Venkataraman",
      );
      expect(await card.getByTestId("incident-last-activity").innerText()).toMatch(
        /^Last activity (just now|\d+m)$/,
      );
      expect(await page.locator("table.incidents thead").first().isVisible()).toBe(true);
      expect(
        await page
          .locator("table.incidents thead")
          .first()
          .evaluate((el) => el.getBoundingClientRect().width),
      ).toBeLessThanOrEqual(1);
      // Chromium still exposes the cards as a table to screen readers (what the CSS changes
      // is only how it looks), so the headers keep naming the cells.
      const cdp = await context.newCDPSession(page);
      const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
        nodes: { role?: { value?: string }; name?: { value?: string } }[];
      };
      const roles = nodes.map((n) => n.role?.value);
      expect(roles.filter((r) => r === "table").length).toBe(2);
      expect(roles.filter((r) => r === "row").length).toBeGreaterThanOrEqual(5);
      expect(
        nodes.some((n) => n.role?.value === "columnheader" && n.name?.value === "Last activity"),
      ).toBe(true);
      await page.screenshot({ path: artifactPath(`dashboard-phone-${colorScheme}.png`) });
      await context.close();
    }
  });

  it("keeps the table on a desktop, and its last activity follows what happens in the incident", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await signIn(page, `${server.url}/#token=${server.token}`, "Dana Desk");
    const row = page.locator(`[data-testid="incident-row"][data-key="${busy}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(
      await page.getByRole("columnheader", { name: "Last activity" }).first().isVisible(),
    ).toBe(true);
    expect(await row.locator(".cell-label").first().isVisible()).toBe(false);
    const activity = row.getByTestId("incident-last-activity");
    const before = (await activity.getAttribute("data-at")) as string;
    // Opening the incident is not activity: a responder's page writes nothing by itself.
    const look = await context.newPage();
    await look.goto(`${server.url}/${busy}`);
    await waitOnline(look);
    // A quiet moment in which a page that did write on opening would have done so.
    await look.waitForTimeout(500);
    await look.close();
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === "/api/incidents", {
        timeout: 5000,
      }),
      page.getByTestId("incident-list-reload").click(),
    ]);
    expect(await activity.getAttribute("data-at")).toBe(before);
    // A timeline entry moves it; the incident's own fields do not change.
    const posted = await server.api("POST", `/api/incidents/${busy}/timeline`, {
      text: "EU error rate down to 4% after the rollback",
    });
    expect(posted.status).toBe(201);
    await page.getByTestId("incident-list-reload").click();
    await page
      .locator(
        `[data-testid="incident-row"][data-key="${busy}"] [data-testid="incident-last-activity"]:not([data-at="${before}"])`,
      )
      .waitFor({ timeout: 5000 });
    const after = (await activity.getAttribute("data-at")) as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect(await activity.getAttribute("title")).toMatch(/^Last change \S/);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await page.screenshot({ path: artifactPath("dashboard-desktop.png") });
    await context.close();
  });
});

describe("the link the server prints", () => {
  let child: ChildProcess | undefined;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
  });

  it("opens the dashboard even with the demo's sample incident; an incident's link opens its incident", async () => {
    // `npm run demo` is `node server/main.ts --demo` once the client is built.
    child = spawn(process.execPath, [path.join(ROOT, "server", "main.ts"), "--demo"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...TEST_LIMITS,
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: tempDataDir(),
        ADMIN_TOKEN: TEST_TOKEN,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const banner: string[] = [];
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const lines = readline.createInterface({ input: child.stdout! });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        lines.on("line", (line) => {
          if (line.startsWith("{")) return;
          banner.push(line);
          if (line.includes("The admin token")) resolve();
        });
        child?.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
      }),
      30_000,
      "the start-up banner",
    );
    const open = banner.find((line) => line.trim().startsWith("Open: "));
    expect(open, banner.join("\n")).toBeDefined();
    const printed = open!.trim().slice("Open: ".length);
    const base = new URL(printed).origin;
    expect(new URL(printed).pathname).toBe("/");
    const sample = banner.find((line) => line.includes("The sample incident"));
    expect(sample).toMatch(/The sample incident (HOT-\d+) is at http:\/\/\S+\/HOT-\d+$/);
    const sampleKey = /(HOT-\d+)/.exec(sample!)![1];

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, printed, "Olu Operator");
    await page.getByTestId("dashboard").waitFor({ timeout: 15_000 });
    await page
      .locator(`[data-testid="incident-row"][data-key="${sampleKey}"]`)
      .waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.getByTestId("incident-page").count()).toBe(0);
    await context.close();

    // A link made for one incident still lands on that incident.
    const made = await fetch(`${base}/api/incidents/${sampleKey}/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ role: "responder", name: "Kim Incident" }),
    });
    expect(made.status).toBe(201);
    const { url } = (await made.json()) as { url: string };
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const incidentPage = await other.newPage();
    await incidentPage.goto(url);
    await waitOnline(incidentPage);
    expect(new URL(incidentPage.url()).pathname).toBe(`/${sampleKey}`);
    expect(await incidentPage.getByTestId("dashboard").count()).toBe(0);
    await other.close();
  }, 60_000);
});
