import { createRequire } from "node:module";
import type { AxeResults, RunOptions } from "axe-core";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import {
  addComms,
  appendTimelineEntry,
  assignRole,
  markCommsSent,
  setIncidentFields,
  setStatus,
} from "#shared/doc/index.ts";
import { createSampleIncident } from "../../server/demo/sampleIncident.ts";
import { artifactPath, waitOnline } from "../helpers/browser.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/**
 * Issue 13, item 6: axe-core finds no serious or critical violation on the dashboard,
 * the incident page (as a responder, desktop and phone) and the viewer page, in the
 * light and the dark theme; the first Tab stop is a skip link; the main actions are
 * reachable by keyboard alone.
 */

const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };
const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string; failureSummary: string }[];
}

/** The subset of axe-core's API the audit uses, as axe.d.ts types it. */
interface AxeInPage {
  run(context: Document, options: RunOptions): Promise<AxeResults>;
}

/** Injects axe-core (the audit contexts bypass the app's CSP for this) and runs it on the whole page. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: AxeInPage };
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: String(v.impact),
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.map(String).join(" "),
          failureSummary: n.failureSummary ?? "",
        })),
      }));
  });
}

/** Every violation on its own lines, so a failing run says what to fix and where. */
function describeViolations(where: string, violations: Violation[]): string {
  const count = violations.reduce((n, v) => n + v.nodes.length, 0);
  return [
    `${where}: ${count} serious/critical axe violation(s)`,
    ...violations.flatMap((v) => [
      `- ${v.id} (${v.impact}): ${v.help}`,
      ...v.nodes.map(
        (n) => `    ${n.target}\n      ${n.failureSummary.replace(/\n/g, "\n      ")}`,
      ),
    ]),
  ].join("\n");
}

describe("accessibility of the dashboard, the incident page and the viewer page", () => {
  const suite = browserSuite();
  let key: string;

  beforeAll(async () => {
    // The demo's incident: roles, links, timeline, a change still applied, theories,
    // experiments, a comms draft, follow-ups and notes. Added here: a sent update (so the
    // viewer has a latest sent update next to the draft) and a key event.
    key = await createSampleIncident(suite.server.hotdoc.incidents, {
      ...SYSTEM_PRINCIPAL,
      name: "Test",
    });
    await suite.server.hotdoc.incidents.write(key, { ...SYSTEM_PRINCIPAL, name: "Test" }, (doc) => {
      const now = Date.now();
      const sent = addComms(
        doc,
        {
          author: "Dana Kim",
          audience: "external",
          title: "Checkout problems in the EU",
          summary: "Some EU customers cannot pay. We are working on a fix.",
          nextUpdate: "In 30 minutes",
          channel: "status page",
        },
        new Date(now - 10 * 60_000),
      );
      markCommsSent(
        doc,
        sent,
        { name: "Dana Kim", source: "editor" },
        "status page",
        new Date(now - 9 * 60_000),
      );
      appendTimelineEntry(
        doc,
        {
          author: "Priya Natarajan",
          source: "editor",
          kind: "decision",
          pinned: true,
          text: "Keep the rollback in place until the fix ships",
        },
        new Date(now - 5 * 60_000),
      );
    });
    // A second, resolved incident, so the dashboard lists an inactive row too.
    const other = (
      await suite.server.api("POST", "/api/incidents", { summary: "Search is slow", severity: 3 })
    ).body.key;
    await suite.server.hotdoc.incidents.write(
      other,
      { ...SYSTEM_PRINCIPAL, name: "Test" },
      (doc) => {
        const aiko = { name: "Aiko Tanaka", source: "editor" as const };
        assignRole(doc, { role: "incident_manager", holder: "Aiko Tanaka" }, aiko);
        setIncidentFields(doc, { endedAt: new Date().toISOString() }, aiko);
        setStatus(doc, "resolved", aiko);
      },
    );
  }, 60_000);

  async function openAs(
    role: "responder" | "viewer",
    theme: Theme,
    viewport: { width: number; height: number },
    audit = true,
  ): Promise<Page> {
    const page = await openIncident(suite, key, {
      role,
      name: role === "responder" ? "Alice Responder" : "Sam Stakeholder",
      viewport,
      colorScheme: theme,
      // Only the audit contexts bypass the Content-Security-Policy, to inject axe-core.
      bypassCSP: audit,
    });
    await page.locator('[data-testid="timeline-entry"]').first().waitFor({ timeout: 10_000 });
    return page;
  }

  async function openDashboard(theme: Theme): Promise<Page> {
    const context = await suite.browser.newContext({
      viewport: DESKTOP,
      colorScheme: theme,
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${suite.server.url}/#token=${suite.server.token}`);
    await page.getByTestId("name-input").fill("Dana Declarer");
    await page.getByTestId("name-save").click();
    await page.getByTestId("incident-list").waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="incident-row"]').nth(1).waitFor({ timeout: 5000 });
    return page;
  }

  async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
    const violations = await seriousViolations(page);
    // The report alone, once: a diff of the objects would print every node twice.
    if (violations.length > 0) throw new Error(describeViolations(where, violations));
  }

  for (const theme of THEMES) {
    it(`the incident page as a responder on a desktop, ${theme} theme`, async () => {
      const page = await openAs("responder", theme, DESKTOP);
      // Another responder typing in the notes shows their caret and name tag on this page.
      const bob = await openAs("responder", theme, DESKTOP, false);
      await bob.locator('[data-testid="notes-editor"] .ProseMirror').click();
      await bob.keyboard.press("Control+End");
      await page.locator(".collaboration-carets__label").first().waitFor({ timeout: 5000 });
      await page.screenshot({
        path: artifactPath(`incident-desktop-${theme}.png`),
        fullPage: true,
      });
      await expectNoSeriousViolations(page, `incident page, responder, desktop, ${theme}`);
      await Promise.all([page, bob].map((p) => p.context().close()));
    });

    it(`the incident page as a responder on a phone, ${theme} theme`, async () => {
      const page = await openAs("responder", theme, PHONE);
      await page.screenshot({ path: artifactPath(`incident-phone-${theme}.png`), fullPage: false });
      await expectNoSeriousViolations(page, `incident page, responder, phone, ${theme}`);
      await page.context().close();
    });

    it(`the viewer page on a phone and a desktop, ${theme} theme`, async () => {
      for (const [size, viewport] of [
        ["phone", PHONE],
        ["desktop", DESKTOP],
      ] as const) {
        const page = await openAs("viewer", theme, viewport);
        await page.getByTestId("read-only-marker").waitFor({ timeout: 5000 });
        await expectNoSeriousViolations(page, `viewer page, ${size}, ${theme}`);
        await page.context().close();
      }
    });

    it(`a page whose link was revoked, with its banner, ${theme} theme`, async () => {
      const link = await suite.server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Temp Responder",
      });
      const context = await suite.browser.newContext({
        viewport: PHONE,
        colorScheme: theme,
        bypassCSP: true,
      });
      const page = await context.newPage();
      await page.goto(link.body.url);
      await waitOnline(page);
      expect(
        (await suite.server.api("DELETE", `/api/incidents/${key}/links/${link.body.id}`)).status,
      ).toBe(204);
      await page.getByTestId("signed-out").waitFor({ timeout: 10_000 });
      await expectNoSeriousViolations(page, `revoked page, phone, ${theme}`);
      await context.close();
    });

    it(`the dashboard, ${theme} theme`, async () => {
      const page = await openDashboard(theme);
      await page.screenshot({ path: artifactPath(`dashboard-${theme}.png`), fullPage: true });
      await expectNoSeriousViolations(page, `dashboard, ${theme}`);
      await page.context().close();
    });
  }

  /** What has the focus: its test id (or its nearest ancestor's), text and where it is. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const box = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(),
        text: (el.textContent ?? "").trim().slice(0, 60),
        testId: el.closest("[data-testid]")?.getAttribute("data-testid") ?? null,
        inTimes: el.closest('[data-testid="times"]') !== null,
        inMain: el.closest("main") !== null,
        isNotes: el.classList.contains("ProseMirror"),
        visible:
          box.width > 1 && box.height > 1 && box.top >= 0 && box.bottom <= window.innerHeight,
      };
    });
  type Focus = NonNullable<Awaited<ReturnType<typeof focused>>>;

  /** Presses Tab until `wanted` has the focus; how many presses it took, or null within `max`. */
  async function tabsUntil(
    page: Page,
    wanted: (focus: Focus) => boolean,
    max: number,
  ): Promise<number | null> {
    for (let stop = 1; stop <= max; stop++) {
      await page.keyboard.press("Tab");
      const now = await focused(page);
      if (now && wanted(now)) return stop;
    }
    return null;
  }

  it("the first Tab stop is a visible skip link to the main content; a responder's second one goes to the quick-add", async () => {
    const dashboard = await openDashboard("light");
    // Opened again, without the personal-link notice that takes the focus on first sign-in.
    await dashboard.goto(suite.server.url);
    await dashboard.getByTestId("incident-list").waitFor({ timeout: 15_000 });
    const responder = await openAs("responder", "light", DESKTOP, false);
    const viewer = await openAs("viewer", "light", PHONE, false);
    for (const page of [dashboard, responder, viewer]) {
      await page.keyboard.press("Tab");
      const first = await focused(page);
      expect(first?.tag).toBe("a");
      expect(first?.text).toBe("Skip to main content");
      expect(first?.visible).toBe(true);
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe("main");
      // The next Tab goes on from the main content, past the top bar.
      await page.keyboard.press("Tab");
      expect((await focused(page))?.inMain).toBe(true);
    }
    // A responder's second stop jumps to the quick-add; a viewer has no such stop.
    await responder.reload();
    await waitOnline(responder);
    await responder.keyboard.press("Tab");
    await responder.keyboard.press("Tab");
    const second = await focused(responder);
    expect(second?.text).toBe("Skip to adding a timeline entry");
    expect(second?.visible).toBe(true);
    await responder.keyboard.press("Enter");
    expect((await focused(responder))?.testId).toBe("quick-add-text");
    await viewer.reload();
    await waitOnline(viewer);
    await viewer.keyboard.press("Tab");
    await viewer.keyboard.press("Tab");
    expect((await focused(viewer))?.text).not.toContain("timeline entry");
    await Promise.all([dashboard, responder, viewer].map((p) => p.context().close()));
  });

  it("the main actions are reachable by keyboard alone in a few stops, and the Times panel costs few", async () => {
    const page = await openAs("responder", "light", DESKTOP, false);
    const stops: Record<string, number | null> = {};
    // Severity and status: just past the page tools, once the skip link has been used.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    stops.severity = await tabsUntil(page, (f) => f.testId === "severity-select", 10);
    stops.status = await tabsUntil(page, (f) => f.testId === "status-move", 3);
    // The change log and the notes: through the section links, then a few stops in.
    for (const [section, target, max] of [
      ["Change log", "add-change-what", 15],
      ["Notes", "notes", 2],
    ] as const) {
      await page.getByTestId("skip-link").focus();
      await page.keyboard.press("Enter");
      const toLink = await tabsUntil(page, (f) => f.text.startsWith(section), 80);
      await page.keyboard.press("Enter");
      const inSection = await tabsUntil(
        page,
        (f) => (f.isNotes ? "notes" : f.testId) === target,
        max,
      );
      stops[`${section} link`] = toLink;
      stops[target] = inSection;
    }
    // The whole page in Tab order, from the top: what the Times panel costs.
    await page.getByTestId("skip-link").focus();
    let timesStops = 0;
    await tabsUntil(
      page,
      (f) => {
        if (f.inTimes) timesStops++;
        return f.isNotes;
      },
      400,
    );
    console.log(
      `keyboard: stops ${JSON.stringify(stops)}; the Times panel takes ${timesStops} Tab stops`,
    );
    for (const [name, count] of Object.entries(stops)) expect(count, name).not.toBeNull();
    expect(timesStops).toBeLessThanOrEqual(8);
    await page.context().close();
  }, 60_000);
});
