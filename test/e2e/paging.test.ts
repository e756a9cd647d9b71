import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser.ts";
import { openIncident } from "../helpers/browserSuite.ts";
import {
  type FakePagerDuty,
  routingKey,
  sendPagerDutyWebhook,
  startFakePagerDuty,
} from "../helpers/fakePagerDuty.ts";
import { type FakeStatuspage, startFakeStatuspage } from "../helpers/fakeStatuspage.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

// The documented v3 webhook envelope's agent (PagerDuty/developer-docs docs/webhooks/01-Overview.md,
// copied in test/fixtures/paging/pagerduty-webhook-v3.json › incident_priority_updated_docs).
const PD_WEBHOOK = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-webhook-v3.json", import.meta.url), "utf8"),
);
const DOCUMENTED_AGENT = PD_WEBHOOK.incident_priority_updated_docs.body.event.agent;

// A page id in the shape of the Statuspage OpenAPI's examples (as in test/integration/paging.test.ts).
const INTERNAL_PAGE = "gytm4qzbx9t6";
const DEFAULT_TEAM = "Incident managers";
const DATABASE_TEAM = "Database on-call";
const WEBHOOK_SECRET = "pd-webhook-secret-e2e-0123456789";

describe("paging and publishing from the incident page", () => {
  const defaultKey = routingKey("e2e-paging-default");
  const databaseKey = routingKey("e2e-paging-database");
  let pd: FakePagerDuty;
  let sp: FakeStatuspage;
  let server: TestServer;
  let browser: Browser;
  let key: string;
  const opened: Page[] = [];

  beforeAll(async () => {
    [pd, sp] = await Promise.all([
      startFakePagerDuty({ routingKeys: [defaultKey, databaseKey] }),
      startFakeStatuspage({ pages: { [INTERNAL_PAGE]: {} } }),
    ]);
    const configFile = path.join(tempDataDir(), "paging.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        teams: [
          { name: DEFAULT_TEAM, default: true, pagerduty: {} },
          { name: DATABASE_TEAM, pagerduty: { routingKey: databaseKey } },
        ],
      }),
    );
    const [started, launched] = await Promise.allSettled([
      startTestServer({
        env: {
          PAGING_CONFIG: configFile,
          PAGERDUTY_ROUTING_KEY: defaultKey,
          PAGERDUTY_EVENTS_URL: pd.url,
          PAGERDUTY_WEBHOOK_SECRET: WEBHOOK_SECRET,
          PAGE_MIN_SEVERITY: "1",
          STATUSPAGE_API_KEY: sp.apiKey,
          STATUSPAGE_API_URL: sp.url,
          STATUSPAGE_PAGE_INTERNAL: INTERNAL_PAGE,
        },
      }),
      launchChromium(),
    ]);
    if (started.status === "fulfilled") server = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;

    const declared = await server.api("POST", "/api/incidents", {
      summary: "Checkout fails for EU customers",
      severity: 1,
      service: "payments-api",
    });
    expect(declared.status).toBe(201);
    key = declared.body.key;
  }, 60_000);

  afterAll(async () => {
    for (const page of opened) await page.context().close();
    await browser?.close();
    await server?.close();
    await Promise.all([pd?.close(), sp?.close()]);
  });

  const suite = () => ({ server, browser });
  const alertsFor = (routing: string) =>
    pd.alerts().filter((a) => a.routingKey === routing && a.dedupKey.startsWith(`hotdoc/${key}/`));
  const row = (page: Page, team: string, state?: string) =>
    page.locator(
      `[data-testid="page-row"][data-team="${team}"]${state ? `[data-state="${state}"]` : ""}`,
    );

  it("shows the declaration's page, its acknowledgement live, and escalates from the page", async () => {
    const page = await openIncident(suite(), key, { role: "responder", name: "Priya" });
    opened.push(page);
    const panel = page.getByTestId("paging-panel");
    await row(page, DEFAULT_TEAM, "triggered").waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId("page-row").count()).toBe(1);
    expect(await row(page, DEFAULT_TEAM).getByTestId("page-state").innerText()).toMatch(
      /^Triggered/,
    );
    expect(alertsFor(defaultKey)).toHaveLength(1);

    // PagerDuty says Dana Kim acknowledged it: the row follows without a reload.
    const read = await server.api("GET", `/api/incidents/${key}`);
    const dedupKey: string = read.body.pages[0].dedupKey;
    expect(dedupKey).toBe(alertsFor(defaultKey)[0].dedupKey);
    const hook = await sendPagerDutyWebhook(`${server.url}/hooks/pagerduty`, WEBHOOK_SECRET, {
      event_type: "incident.acknowledged",
      agent: { ...DOCUMENTED_AGENT, summary: "Dana Kim" },
      data: { incident_key: dedupKey, status: "acknowledged" },
    });
    expect(hook.status).toBe(202);
    await row(page, DEFAULT_TEAM, "acknowledged").waitFor({ timeout: 5000 });
    expect(await row(page, DEFAULT_TEAM).getByTestId("page-state").innerText()).toContain(
      "Dana Kim",
    );

    // Escalate without saying why: refused on the page, nobody paged.
    const callsBefore = pd.calls.length;
    await page.getByTestId("escalate-button").click();
    const form = page.getByTestId("escalate-form");
    await form.waitFor({ timeout: 5000 });
    await form.getByTestId("escalate-team").selectOption(DATABASE_TEAM);
    await form.getByTestId("escalate-submit").click();
    await form.getByTestId("escalate-error").waitFor({ timeout: 5000 });
    expect((await form.getByTestId("escalate-error").innerText()).trim()).not.toBe("");
    await page.waitForTimeout(300);
    expect(pd.calls.length).toBe(callsBefore);
    expect(await row(page, DATABASE_TEAM).count()).toBe(0);
    expect((await server.api("GET", `/api/incidents/${key}`)).body.pages).toHaveLength(1);

    // With a reason: Database on-call is paged on its own routing key.
    await form.getByTestId("escalate-note").fill("replica lag 40s");
    await form.getByTestId("escalate-submit").click();
    await row(page, DATABASE_TEAM, "triggered").waitFor({ timeout: 10_000 });
    await form.waitFor({ state: "detached", timeout: 5000 });
    const database = alertsFor(databaseKey);
    expect(database).toHaveLength(1);
    const payload = database[0].event.payload as Record<string, any>;
    expect(String(payload.summary).startsWith(`${key} `)).toBe(true);
    expect(payload.custom_details?.note).toBe("replica lag 40s");
    expect(alertsFor(defaultKey)).toHaveLength(1);
  }, 30_000);

  it("publishes an internal draft to Statuspage; a viewer sees the pages but no controls", async () => {
    const page =
      opened[0] ?? (await openIncident(suite(), key, { role: "responder", name: "Priya" }));
    const editor = page.getByTestId("comms-draft-internal");
    await editor.waitFor({ timeout: 5000 });
    const title = `${key} - Sev 1 - Checkout fails for EU customers`;
    await page.locator("#comms-internal-title").fill(title);
    await page
      .locator("#comms-internal-summary")
      .fill("EU customers cannot pay; database on-call is looking at replica lag.");
    const preview = (await editor.getByTestId("comms-preview").textContent()) ?? "";
    expect(preview.startsWith(`${title}\n\n`)).toBe(true);
    const body = preview.slice(title.length + 2);

    const controls = page.getByTestId("comms-publish-internal");
    await controls.getByTestId("publish-button").click();
    await controls
      .locator('[data-testid="publication-row"][data-destination="statuspage"][data-state="sent"]')
      .waitFor({ timeout: 10_000 });
    expect(await controls.getByTestId("publish-error").count()).toBe(0);
    const incidents = sp.incidents(INTERNAL_PAGE);
    expect(incidents).toHaveLength(1);
    expect(incidents[0].name).toBe(title);
    expect(incidents[0].incident_updates).toHaveLength(1);
    expect(incidents[0].incident_updates[0].body).toBe(body);

    // A viewer reads who was paged but has nothing to press.
    const viewer = await openIncident(suite(), key, { role: "viewer", name: "Support" });
    opened.push(viewer);
    await row(viewer, DEFAULT_TEAM, "acknowledged").waitFor({ timeout: 10_000 });
    await row(viewer, DATABASE_TEAM, "triggered").waitFor({ timeout: 5000 });
    expect(await viewer.getByTestId("escalate-button").count()).toBe(0);
    expect(await viewer.getByTestId("page-retry").count()).toBe(0);
    expect(await viewer.getByTestId("publish-button").count()).toBe(0);
    // The responder's page does show them (so the counts above can fail).
    expect(await page.getByTestId("escalate-button").count()).toBe(1);
  }, 30_000);
});
