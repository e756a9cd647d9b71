import type { BrowserContextOptions, Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import {
  addComms,
  appendTimelineEntry,
  markCommsSent,
  readIncident,
  recordChange,
} from "#shared/doc/index.ts";
import { EXPORT_FORMAT_IDS } from "#shared/exportFormats.ts";
import { artifactPath } from "../helpers/browser.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";
import { callApi } from "../helpers/testServer.ts";

/**
 * Marks that exist only in the unsent draft: found on a viewer's page, REST reads, exports
 * or time-travel states, they leaked. (A viewer's websocket syncs the whole document,
 * drafts included; these tests do not claim otherwise.)
 */
const DRAFT_TITLE = "DRAFT-TITLE-q7x";
const DRAFT_TEXT = "DRAFT-ONLY-q7x: vendor outage suspected, not confirmed";
const SENT_TEXT = "Payments work again for most EU customers after the rollback.";
const PHONE = { width: 390, height: 844 };
/** A time as the page writes it: "14:05" today, "Nov 22 00:02" when it falls on another day (near midnight). */
const CLOCK = String.raw`(?:[A-Z][a-z]{2} \d{1,2}(?: \d{4})? )?\d\d:\d\d`;
const DESKTOP = { width: 1400, height: 1000 };

describe("the stakeholder view leads with what stakeholders come for", () => {
  const suite = browserSuite();
  let key: string;
  let sentAt: number;
  let viewerToken: string;

  beforeAll(async () => {
    const now = Date.now();
    key = (
      await suite.server.api("POST", "/api/incidents", {
        summary: "Checkout fails for EU customers",
        severity: 2,
        description: "Customers in the EU get HTTP 502 when they pay.",
        service: "payments-api",
        products: ["Web shop", "Mobile app"],
        startedAt: new Date(now - 40 * 60_000).toISOString(),
      })
    ).body.key;
    sentAt = now - 12 * 60_000;
    await suite.server.hotdoc.incidents.write(key, { ...SYSTEM_PRINCIPAL, name: "Test" }, (doc) => {
      const dana = { name: "Dana Kim", source: "editor" as const };
      // Enough of an incident that the page is several screens long.
      for (let i = 0; i < 12; i++)
        appendTimelineEntry(
          doc,
          { author: "Priya", source: "editor", kind: "note", text: `Checked shard ${i}` },
          new Date(now - (35 - i) * 60_000),
        );
      recordChange(
        doc,
        {
          author: "Priya",
          what: "Rolled back payments-api to v41",
          revertSteps: "Deploy v42 again",
          state: "applied",
        },
        new Date(now - 20 * 60_000),
      );
      const external = addComms(
        doc,
        {
          author: "Dana Kim",
          audience: "external",
          title: "Investigating issues with Web shop",
          summary: "We are investigating issues with the Web shop.",
        },
        new Date(now - 30 * 60_000),
      );
      markCommsSent(doc, external, dana, "status page", new Date(now - 30 * 60_000));
      const internal = addComms(
        doc,
        {
          author: "Dana Kim",
          audience: "internal",
          title: `${key} - Sev 2 - Checkout fails for EU customers`,
          summary: SENT_TEXT,
          currentStatus: ["Error rate back under 1%", "Root cause: currently unknown"],
          nextSteps: ["Watch the error rate", "Find the faulty release"],
          nextUpdate: "In 30 minutes, here and by email",
        },
        new Date(sentAt - 60_000),
      );
      markCommsSent(doc, internal, dana, "#incidents", new Date(sentAt));
      // Saved later than the sent update, so "the newest update" would be this draft.
      addComms(
        doc,
        { author: "Dana Kim", audience: "internal", title: DRAFT_TITLE, summary: DRAFT_TEXT },
        new Date(now - 2 * 60_000),
      );
    });
    viewerToken = (
      await suite.server.api("POST", `/api/incidents/${key}/links`, {
        role: "viewer",
        name: "Support",
      })
    ).body.token;
  }, 60_000);

  async function openAs(
    role: "viewer" | "responder",
    options: BrowserContextOptions,
  ): Promise<Page> {
    const name = role === "viewer" ? "Support" : "Dana Kim";
    const page = await openIncident(suite, key, { role, name, ...options });
    await page.getByTestId("incident-header").waitFor({ timeout: 10_000 });
    return page;
  }

  async function box(locator: Locator) {
    const found = await locator.boundingBox();
    if (!found) throw new Error("element has no box (not visible)");
    return found;
  }

  /** Inside the first screen, with no scrolling. */
  async function expectOnFirstScreen(page: Page, locator: Locator): Promise<void> {
    const { y, height } = await box(locator);
    const viewport = page.viewportSize();
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y + height).toBeLessThanOrEqual(viewport?.height ?? 0);
  }

  it("on a phone, the first screen shows status, severity, impact, the latest sent update and when the next is due; tools come last; no draft on the page", async () => {
    const page = await openAs("viewer", { viewport: PHONE, colorScheme: "light" });
    const summary = page.getByTestId("stakeholder-summary");
    await summary.waitFor({ timeout: 5000 });
    // The history bar loads its range asynchronously: wait for it, so nothing moves after measuring.
    await page.getByTestId("history-slider").waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    const status = page.getByTestId("stakeholder-status");
    const severity = page.getByTestId("stakeholder-severity");
    const impact = page.getByTestId("stakeholder-impact");
    const latest = page.getByTestId("stakeholder-latest-update");
    const latestText = page.getByTestId("stakeholder-update-summary");
    const next = page.getByTestId("stakeholder-next-update");
    for (const shown of [status, severity, impact, latestText, next])
      await expectOnFirstScreen(page, shown);

    expect(await status.innerText()).toMatch(/fixing|new/i);
    expect(await severity.locator(".sev").innerText()).toBe("SEV2");
    expect(await impact.innerText()).toContain("Customers in the EU get HTTP 502 when they pay.");
    expect(await impact.innerText()).toContain("Web shop, Mobile app");
    // The latest *sent* update (not the newer draft, not the older external one), with who and when.
    expect(await latestText.innerText()).toBe(SENT_TEXT);
    const meta = await page.getByTestId("stakeholder-update-meta").innerText();
    expect(meta).toContain("by Dana Kim");
    expect(meta).toContain("#incidents");
    expect(meta).toMatch(new RegExp(`Sent ${CLOCK} \\(12 min ago\\)`));
    expect(await latest.innerText()).toContain("Latest internal update");
    // "In 30 minutes" from when it was sent: due 18 minutes from now.
    expect(await next.getAttribute("data-state")).toBe("due");
    expect(
      Math.abs(Date.parse((await next.getAttribute("data-due")) ?? "") - (sentAt + 30 * 60_000)),
    ).toBeLessThan(1000);
    expect(await next.innerText()).toMatch(
      new RegExp(`^Next update by ${CLOCK} \\(in 1[78] min\\)`),
    );
    await page.screenshot({ path: artifactPath("viewer-phone-light.png") });

    // Tools come after everything the incident says, not before it.
    const summaryBottom = (await box(summary)).y + (await box(summary)).height;
    for (const tool of ["history-slider", "export-button"])
      expect((await box(page.getByTestId(tool))).y).toBeGreaterThan(summaryBottom);
    const toolsAfterSections = await page.evaluate(() => {
      const tools = document.querySelector('[data-testid="viewer-tools"]');
      const notes = document.querySelector('[data-testid="notes-editor"]');
      const comms = document.querySelector('[data-testid="comms"]');
      const follows = (a: Element | null, b: Element | null) =>
        Boolean(a && b && b.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
      return follows(tools, notes) && follows(tools, comms);
    });
    expect(toolsAfterSections).toBe(true);
    expect(await page.locator(".page-tools").count()).toBe(1);

    // Drafts, saved or drafted by the page, are nowhere in the page; the sent log is.
    const html = await page.content();
    expect(html).not.toContain(DRAFT_TEXT);
    expect(html).not.toContain(DRAFT_TITLE);
    // The page's own draft from the document ("drafted from the document… not sent") too.
    expect(html).not.toContain("drafted from the document");
    expect(await page.getByTestId("comms-draft-internal").count()).toBe(0);
    const log = page.locator('[data-testid="comms-log-entry"]');
    expect(await log.count()).toBe(2);
    expect(await page.locator('[data-testid="comms-log-entry"][data-state="draft"]').count()).toBe(
      0,
    );
    await page.context().close();
  });

  it("reads the same in dark mode on a phone and on a desktop", async () => {
    const dark = await openAs("viewer", { viewport: PHONE, colorScheme: "dark" });
    await dark.getByTestId("history-slider").waitFor({ timeout: 5000 });
    await expectOnFirstScreen(dark, dark.getByTestId("stakeholder-update-summary"));
    await expectOnFirstScreen(dark, dark.getByTestId("stakeholder-next-update"));
    await dark.screenshot({ path: artifactPath("viewer-phone-dark.png") });
    await dark.context().close();

    const desktop = await openAs("viewer", { viewport: DESKTOP, colorScheme: "light" });
    await desktop.getByTestId("history-slider").waitFor({ timeout: 5000 });
    await expectOnFirstScreen(desktop, desktop.getByTestId("stakeholder-update-summary"));
    await desktop.screenshot({ path: artifactPath("viewer-desktop-light.png") });
    await desktop.context().close();
  });

  it("a viewer's REST reads, exports and time-travel states hold no draft text (its websocket still syncs them); a responder's do", async () => {
    const asViewer = (route: string) =>
      callApi(suite.server.url, "GET", route, undefined, viewerToken);
    const responderToken = (
      await suite.server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Ravi",
      })
    ).body.token;

    const read = await asViewer(`/api/incidents/${key}`);
    expect(read.status).toBe(200);
    expect(read.body.comms.map((c: { state: string }) => c.state)).toEqual(["sent", "sent"]);
    expect(JSON.stringify(read.body)).not.toContain("DRAFT-");
    const list = await asViewer("/api/incidents");
    expect(JSON.stringify(list.body)).not.toContain("DRAFT-");
    // A responder (who can send it) still reads the draft.
    const full = await callApi(
      suite.server.url,
      "GET",
      `/api/incidents/${key}`,
      undefined,
      responderToken,
    );
    expect(JSON.stringify(full.body)).toContain(DRAFT_TEXT);

    for (const format of EXPORT_FORMAT_IDS) {
      const exported = await fetch(
        `${suite.server.url}/api/incidents/${key}/export?format=${format}`,
        {
          headers: { authorization: `Bearer ${viewerToken}` },
        },
      );
      expect(exported.status).toBe(200);
      const body = await exported.text();
      expect(body).toContain("Payments work again for most EU customers");
      expect(body).not.toContain("DRAFT-");
    }

    const at = new Date().toISOString();
    const state = async (token: string, query: string) => {
      const response = await fetch(`${suite.server.url}/api/incidents/${key}/state${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      return new Uint8Array(await response.arrayBuffer());
    };
    const texts = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
    for (const query of ["", `?at=${encodeURIComponent(at)}`]) {
      const seen = await state(viewerToken, query);
      expect(texts(seen)).not.toContain("DRAFT-");
      const doc = new Y.Doc();
      Y.applyUpdate(doc, seen);
      const incident = readIncident(doc);
      expect(incident.summary).toBe("Checkout fails for EU customers");
      expect(incident.comms.map((c) => c.summary).sort()).toEqual(
        [SENT_TEXT, "We are investigating issues with the Web shop."].sort(),
      );
      expect(texts(await state(responderToken, query))).toContain(DRAFT_TEXT);
    }
    // Reading never changed the document: the draft is still there for the team.
    expect(JSON.stringify((await suite.server.api("GET", `/api/incidents/${key}`)).body)).toContain(
      DRAFT_TEXT,
    );
  });

  it("a responder's page keeps its layout and still opens and sends the draft; the viewer's summary follows live", async () => {
    const viewer = await openAs("viewer", { viewport: PHONE });
    const responder = await openAs("responder", { viewport: DESKTOP });
    // The responder's tools stay at the top; no stakeholder summary there.
    expect(await responder.getByTestId("stakeholder-summary").count()).toBe(0);
    expect(await responder.getByTestId("viewer-tools").count()).toBe(0);
    await responder.getByTestId("export-button").waitFor({ timeout: 5000 });
    expect((await box(responder.getByTestId("export-button"))).y).toBeLessThan(
      (await box(responder.getByTestId("incident-header"))).y,
    );

    const draft = responder.locator('[data-testid="comms-log-entry"][data-state="draft"]', {
      hasText: DRAFT_TITLE,
    });
    await draft.waitFor({ timeout: 5000 });
    await draft.getByTestId("comms-open-draft").click();
    const editor = responder.getByTestId("comms-draft-internal");
    const summaryField = responder.locator("#comms-internal-summary");
    // The editor fills in the draft's own text once it has read the draft (a loaded
    // machine shows the field for a moment before that).
    await expect.poll(() => summaryField.inputValue(), { timeout: 5000 }).toBe(DRAFT_TEXT);
    const confirmed = "Root cause found: a bad payments-api release; the fix ships at 15:00.";
    await summaryField.fill(confirmed);
    await editor.getByTestId("comms-save-draft").click();
    await responder
      .locator('[data-testid="comms-log-entry"][data-state="draft"]', { hasText: DRAFT_TITLE })
      .waitFor({ timeout: 5000 });
    // Saved, not sent: the viewer still sees the earlier sent update.
    await expect
      .poll(
        async () =>
          JSON.stringify((await suite.server.api("GET", `/api/incidents/${key}`)).body).includes(
            confirmed,
          ),
        { timeout: 5000 },
      )
      .toBe(true);
    expect(await viewer.getByTestId("stakeholder-update-summary").innerText()).toBe(SENT_TEXT);
    expect(await viewer.content()).not.toContain(confirmed);

    // Sent: it becomes the viewer's latest update at once, with a fresh next-update time.
    await responder
      .locator('[data-testid="comms-log-entry"][data-state="draft"]', { hasText: DRAFT_TITLE })
      .getByTestId("comms-mark-sent")
      .click();
    await viewer
      .locator('[data-testid="stakeholder-update-summary"]', { hasText: confirmed })
      .waitFor({ timeout: 2000 });
    expect(await viewer.getByTestId("stakeholder-next-update").innerText()).toMatch(
      new RegExp(`^Next update expected by ${CLOCK} \\(in (29|30) min\\)`),
    );
    await viewer.context().close();
    await responder.context().close();
  });
});
