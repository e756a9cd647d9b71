import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collection } from "#shared/doc/fields.ts";
import { addObservation, readIncident } from "#shared/doc/index.ts";
import { artifactPath, launchChromium } from "../helpers/browser.ts";
import { deliver, genericSigned, SECRETS } from "../helpers/chatPayloads.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Live updates reach a page within this; a write through chat is durable before its answer. */
const LIVE_MS = 2000;

describe("work streams in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  let key: string;
  let said = 0;

  beforeAll(async () => {
    server = await startTestServer({ env: SECRETS });
    browser = await launchChromium();
    key = (
      await server.api("POST", "/api/incidents", {
        summary: "EU checkout down",
        severity: 1,
        service: "payments-api",
      })
    ).body.key;
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "webhook",
          channel: "ops-room",
        })
      ).status,
    ).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Says something in the incident's room, through the real signed generic webhook. */
  async function say(author: string, text: string): Promise<string[]> {
    const answer = await deliver(
      server.url,
      genericSigned({ id: `m-${++said}`, channel: "ops-room", author, text }),
    );
    expect(answer.status).toBe(200);
    return answer.body.replies;
  }

  async function open(name: string): Promise<Page> {
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "responder",
      name,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    await page.goto(link.body.url);
    await page
      .locator('[data-testid="connection-status"][data-status="online"]')
      .waitFor({ timeout: 15_000 });
    return page;
  }

  const serverDoc = () => server.hotdoc.hocuspocus.documents.get(key)!;
  const streamRow = (page: Page, name: string) =>
    page.locator(`[data-testid="stream-row"][data-name="${name}"]`);
  const card = (page: Page, kind: string, text: string) =>
    page.locator(`[data-testid="${kind}-card"]`, { hasText: text });

  it("streams started from the page and from chat, records tagged from both, the page filtered to one stream, and the postmortem's streams section", async () => {
    const page = await open("Priya");

    // A stream with its lead, from the page: it is listed, and its lead holds a role.
    await page.getByTestId("add-stream-name").fill("Database failover");
    await page.getByTestId("add-stream-lead").fill("Ana");
    await page.getByTestId("add-stream-submit").click();
    await streamRow(page, "Database failover")
      .and(page.locator('[data-lead="Ana"][data-state="active"]'))
      .waitFor({ timeout: LIVE_MS });
    await page
      .locator('[data-testid="role-row"][data-role="tech_lead"][data-holder="Ana"]', {
        hasText: "Tech lead · Database failover",
      })
      .waitFor({ timeout: LIVE_MS });
    const db = readIncident(serverDoc()).streams.find((s) => s.name === "Database failover");
    expect(db).toMatchObject({ techLead: "Ana", state: "active" });

    // A new observation tagged with it from the add form.
    await page.getByTestId("add-observation-text").fill("replica lag 40s on eu-1");
    await page.getByTestId("add-observation-stream").selectOption({ label: "Database failover" });
    await page.getByTestId("add-observation-submit").click();
    await card(page, "observation", "replica lag 40s on eu-1")
      .getByTestId("stream-badge")
      .filter({ hasText: "Database failover" })
      .waitFor({ timeout: LIVE_MS });

    // A second stream from chat, and records tagged from chat.
    expect(await say("marco", "stream: Payments retries lead @marco")).toEqual([
      expect.stringContaining("Work stream Payments retries started, led by marco"),
    ]);
    await streamRow(page, "Payments retries")
      .and(page.locator('[data-lead="marco"]'))
      .waitFor({ timeout: LIVE_MS });
    expect(
      await say("marco", "theory [payments]: the new release retries without backoff"),
    ).toEqual([]);
    expect(await say("dana", "obs: support sees refunds failing too")).toEqual([]);
    await card(page, "theory", "the new release retries without backoff")
      .getByTestId("stream-badge")
      .filter({ hasText: "Payments retries" })
      .waitFor({ timeout: LIVE_MS });
    const payments = readIncident(serverDoc()).streams.find((s) => s.name === "Payments retries")!;

    // Re-tag the untagged observation from its card.
    const refunds = card(page, "observation", "support sees refunds failing too");
    await refunds.hover();
    await refunds.getByTestId("stream-tag-add").click();
    await refunds.getByTestId("stream-tag-select").selectOption({ label: "Payments retries" });
    await refunds
      .getByTestId("stream-badge")
      .filter({ hasText: "Payments retries" })
      .waitFor({ timeout: LIVE_MS });
    expect(
      readIncident(serverDoc()).observations.find((o) => o.text.startsWith("support sees"))
        ?.streamId,
    ).toBe(payments.id);

    // What concerns the whole incident, said in chat: a severity change, an incident
    // manager (who is told the status is still new) and the move to fixing, an untagged
    // key event; and a key event of the other stream.
    expect(await say("priya", "sev 2")).toEqual([]);
    expect(await say("priya", "im @priya")).toEqual([
      expect.stringContaining("The status is still new: say `status fixing`"),
    ]);
    expect(await say("priya", "status fixing")).toEqual([]);
    expect(await say("priya", "!key customers told to retry later")).toEqual([]);
    expect(await say("marco", "decision [payments]: retries off until the fix ships")).toEqual([]);
    // An observation tagged with a stream id the document does not hold (as a CRDT client
    // could write it) belongs to no stream.
    const stray = addObservation(serverDoc(), { author: "dana", text: "card declines in NL" });
    collection(serverDoc(), "observations").get(stray)?.set("streamId", "nostream0001");
    await card(page, "observation", "card declines in NL").waitFor({ timeout: LIVE_MS });
    expect(
      await card(page, "observation", "card declines in NL").getByTestId("stream-badge").count(),
    ).toBe(0);

    // Filter the page to the database stream: only its records show, in every section.
    await page.getByTestId("stream-filter").selectOption({ label: "Database failover" });
    expect(new URL(page.url()).searchParams.get("stream")).toBe(db!.id);
    await card(page, "theory", "retries without backoff").waitFor({
      state: "detached",
      timeout: LIVE_MS,
    });
    expect(await page.getByTestId("observation-card").allInnerTexts()).toEqual([
      expect.stringContaining("replica lag 40s on eu-1"),
    ]);
    await page
      .locator('[data-testid="timeline-entry"]', { hasText: "replica lag 40s on eu-1" })
      .waitFor({ timeout: LIVE_MS });
    // The timeline keeps what concerns the whole incident next to the stream's own entries.
    const timeline = await page.locator('[data-testid="timeline-entry"]').evaluateAll((rows) =>
      rows.map((row) => ({
        stream: row.getAttribute("data-stream-id"),
        kind: row.getAttribute("data-kind"),
        pinned: row.getAttribute("data-pinned") === "true",
        text: row.textContent ?? "",
      })),
    );
    expect(timeline.filter((e) => e.stream === db!.id).length).toBeGreaterThanOrEqual(2);
    const whole = timeline.filter((e) => e.stream !== db!.id);
    expect(whole.map((e) => e.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Incident declared: EU checkout down"),
        expect.stringContaining("Severity changed from 1 (Critical) to 2 (Major)"),
        expect.stringContaining("priya is Incident manager"),
        expect.stringContaining("Status changed from new to fixing"),
        expect.stringContaining("!key customers told to retry later"),
      ]),
    );
    for (const entry of whole) {
      expect(entry.stream, entry.text).toBeNull();
      expect(
        entry.pinned || ["status", "severity", "role"].includes(entry.kind ?? ""),
        entry.text,
      ).toBe(true);
    }
    expect(whole.map((e) => e.text).join("\n")).not.toMatch(
      /retries off until the fix ships|card declines in NL|Tech lead · Payments retries|im @priya/,
    );

    // Records of no stream, the one tagged with an unknown stream among them.
    await page.getByTestId("stream-filter").selectOption({ label: "No stream" });
    await card(page, "observation", "card declines in NL").waitFor({ timeout: LIVE_MS });
    expect(await page.getByTestId("observation-card").allInnerTexts()).toEqual([
      expect.stringContaining("card declines in NL"),
    ]);

    // The other stream: its theory and the re-tagged observation, not the database's.
    await page.getByTestId("stream-filter").selectOption({ label: "Payments retries" });
    await card(page, "theory", "retries without backoff").waitFor({ timeout: LIVE_MS });
    expect(await page.getByTestId("observation-card").allInnerTexts()).toEqual([
      expect.stringContaining("support sees refunds failing too"),
    ]);
    // A quick-add entry while filtered goes into the stream on view.
    await page.getByTestId("quick-add-text").fill("rolled the retry flag back in staging");
    await page.getByTestId("quick-add-submit").click();
    await page
      .locator(`[data-testid="timeline-entry"][data-stream-id="${payments.id}"]`, {
        hasText: "rolled the retry flag back in staging",
      })
      .waitFor({ timeout: LIVE_MS });
    await page.screenshot({ path: artifactPath("work-streams-filtered.png"), fullPage: true });

    // Back to everything; the database stream ends and stays listed.
    await page.getByTestId("stream-filter").selectOption({ label: "All streams" });
    expect(new URL(page.url()).searchParams.get("stream")).toBeNull();
    await expect.poll(() => page.getByTestId("observation-card").count()).toBe(3);
    await streamRow(page, "Database failover").getByTestId("stream-done").click();
    await streamRow(page, "Database failover")
      .and(page.locator('[data-state="done"]'))
      .waitFor({ timeout: LIVE_MS });
    await page.close();

    // The postmortem lists each stream with its lead, its state and what was tagged with it.
    const response = await fetch(`${server.url}/api/incidents/${key}/export?format=markdown`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(response.status).toBe(200);
    const markdown = await response.text();
    const section = markdown.slice(
      markdown.indexOf("## Work streams"),
      markdown.indexOf("## Key events"),
    );
    expect(section).toContain("### Database failover");
    expect(section).toContain("### Payments retries");
    const database = section.slice(0, section.indexOf("### Payments retries"));
    const retries = section.slice(section.indexOf("### Payments retries"));
    expect(database).toContain("**Tech lead:** Ana");
    expect(database).toMatch(/\*\*State:\*\* done at /);
    expect(database).toContain("observation: replica lag 40s on eu-1 (unconfirmed)");
    expect(database).not.toContain("retries without backoff");
    expect(retries).toContain("**Tech lead:** marco");
    expect(retries).toContain("**State:** still active");
    expect(retries).toContain("theory (open): the new release retries without backoff");
    expect(retries).toContain("observation: support sees refunds failing too (unconfirmed)");
    expect(retries).toContain("note: rolled the retry flag back in staging");
    expect(markdown).toContain("| Time (UTC) | Who | From | Kind | Stream | What |");
  }, 60_000);
});
