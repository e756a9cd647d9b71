import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addComms,
  initIncident,
  markCommsSent,
  pageId,
  publicationId,
  savePage,
  savePublication,
} from "#shared/doc/index.ts";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";

const T = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 20, 14, minute, second));
const dana = { name: "Dana Kim", source: "editor" as const };
const SCRIPT = "<script>alert(1)</script>";

function incident(startedAt?: Date): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-5",
    summary: "Search is slow",
    severity: 2,
    ...(startedAt ? { startedAt: startedAt.toISOString() } : {}),
    actor: { name: "Ana", source: "editor" },
    now: T(10),
  });
  return doc;
}

/** A comms update written at `minute` and marked sent at `sentMinute` (by hand, through `channel`). */
function sent(
  doc: Y.Doc,
  audience: "internal" | "external",
  title: string,
  minute: number,
  sentMinute: number,
  extra: { nextUpdate?: string; channel?: string } = {},
): string {
  const id = addComms(doc, { author: "Dana Kim", audience, title, ...extra }, T(minute));
  markCommsSent(doc, id, dana, extra.channel, T(sentMinute));
  return id;
}

describe("the postmortem's communications", () => {
  it("lists sent updates per audience in time order, with gaps, late flags and where they went; drafts never", () => {
    const doc = incident(T(0));
    // Written out of order: the list follows the send times.
    const third = sent(doc, "internal", "Third", 40, 75);
    sent(doc, "internal", "First", 5, 12, { nextUpdate: "In 30 minutes", channel: "#ops" });
    sent(doc, "internal", "Second", 20, 40, { nextUpdate: "14:70" });
    sent(doc, "external", "Customers told", 15, 16);
    addComms(doc, { author: "Dana Kim", audience: "internal", title: "Never sent" }, T(50));
    savePublication(doc, {
      id: publicationId(third, "statuspage"),
      commsId: third,
      audience: "internal",
      destination: "statuspage",
      state: "sent",
      at: T(75).toISOString(),
      author: "Dana Kim",
      attempts: 1,
      title: "Third",
      text: "Third",
      sentAt: T(75).toISOString(),
      url: "https://status.example.com/internal/hot5",
    });
    savePublication(doc, {
      id: publicationId(third, "webhook"),
      commsId: third,
      audience: "internal",
      destination: "webhook",
      state: "failed",
      at: T(75).toISOString(),
      author: "Dana Kim",
      attempts: 2,
      title: "Third",
      text: "Third",
      error: "connection refused",
    });

    const pm = buildPostmortem(doc);
    expect(pm.comms.map((c) => `${c.audience} ${c.title}`)).toEqual([
      "internal First",
      "internal Second",
      "internal Third",
      "external Customers told",
    ]);
    const [first, second, third2, external] = pm.comms;
    expect(first.gap).toBeNull();
    expect(first.destinations).toEqual([{ name: "#ops", url: null }]);
    // 28 minutes after the first, within the 30 it promised.
    expect(second.gap).toEqual({ ms: 28 * 60_000, text: "+28 min" });
    expect(second.dueAt).toBe(T(42).toISOString());
    expect(second.lateBy).toBeNull();
    // "14:70" is no time: the cadence (30 minutes) stands, so 15:10 was due and 15:15 is 5 late.
    expect(third2.gap?.text).toBe("+35 min");
    expect(third2.dueAt).toBe(T(70).toISOString());
    expect(third2.lateBy).toEqual({ ms: 5 * 60_000, text: "5 min" });
    // Only the sent publication counts.
    expect(third2.destinations).toEqual([
      { name: "Statuspage (internal)", url: "https://status.example.com/internal/hot5" },
    ]);
    // The first of each audience starts its own count.
    expect(external.gap).toBeNull();
    expect(pm.firstUpdates).toEqual([
      {
        audience: "internal",
        sentAt: T(12).toISOString(),
        from: "start of impact",
        fromAt: T(0).toISOString(),
        after: { ms: 12 * 60_000, text: "12m 00s" },
      },
      expect.objectContaining({
        audience: "external",
        after: { ms: 16 * 60_000, text: "16m 00s" },
      }),
    ]);

    const markdown = render(pm, "markdown");
    expect(markdown).not.toContain("Never sent");
    expect(markdown).toContain("**First internal update:** 2026-11-20 14:12:00 UTC, 12m 00s after");
    expect(markdown).toContain(
      "**2026-11-20 15:15:00 UTC** Third — via [Statuspage (internal)](https://status.example.com/internal/hot5) — +35 min since the previous update — **late by 5 min**",
    );
    expect(markdown).toContain("Second — +28 min since the previous update");
    expect(markdown.match(/late by/g)).toHaveLength(1);
    for (const format of ["html", "confluence", "json"] as const)
      expect(render(pm, format), format).not.toContain("Never sent");
  });

  it("counts the first update from the declaration when the start of impact is unknown", () => {
    const doc = incident();
    sent(doc, "internal", "Heads-up", 11, 14);
    expect(buildPostmortem(doc).firstUpdates).toEqual([
      {
        audience: "internal",
        sentAt: T(14).toISOString(),
        from: "declaration",
        fromAt: T(10).toISOString(),
        after: { ms: 4 * 60_000, text: "4m 00s" },
      },
    ]);
  });

  it("lists pages with who acknowledged them and how fast, and failed ones with their error", () => {
    const doc = incident(T(0));
    const base = {
      at: T(10).toISOString(),
      author: "Ana",
      reason: "declared" as const,
      note: "declared SEV2",
      attempts: 1,
    };
    savePage(doc, {
      ...base,
      id: pageId("Search on-call", "pagerduty"),
      team: "Search on-call",
      provider: "pagerduty",
      dedupKey: "hotdoc/HOT-5/search-on-call",
      state: "acknowledged",
      sentAt: T(10, 3).toISOString(),
      acknowledgedAt: T(13, 48).toISOString(),
      acknowledgedBy: "Bo",
    });
    savePage(doc, {
      ...base,
      id: pageId(`Storage ${SCRIPT}`, "webhook"),
      team: `Storage ${SCRIPT}`,
      provider: "webhook",
      reason: "escalated",
      note: "disk full",
      dedupKey: "hotdoc/HOT-5/storage",
      state: "failed",
      attempts: 3,
      error: `HTTP 500 ${SCRIPT}`,
    });
    const pm = buildPostmortem(doc);
    expect(pm.pages.map((p) => [p.team, p.acknowledgedBy, p.timeToAcknowledge, p.error])).toEqual([
      ["Search on-call", "Bo", { ms: 225_000, text: "3m 45s" }, null],
      [`Storage ${SCRIPT}`, null, null, `HTTP 500 ${SCRIPT}`],
    ]);
    const markdown = render(pm, "markdown");
    expect(markdown).toContain(
      "| Search on-call | PagerDuty | paged on declaration: declared SEV2 | 2026-11-20 14:10:03 UTC | 2026-11-20 14:13:48 UTC | Bo | 3m 45s | — | acknowledged |",
    );
    expect(markdown).toContain("failed: HTTP 500 \\<script\\>alert(1)\\</script\\>");
    expect(markdown).not.toContain("hotdoc/HOT-5");
    for (const format of ["html", "confluence"] as const) {
      const out = render(pm, format);
      expect(out, format).not.toMatch(/<script/i);
      expect(out, format).toContain("failed: HTTP 500 &#x3C;script>alert(1)&#x3C;/script>");
      expect(out, format).not.toContain("hotdoc/HOT-5");
    }
  });

  it("escapes a <script> in an update's title in HTML and Confluence", () => {
    const doc = incident(T(0));
    sent(doc, "external", `Status ${SCRIPT}`, 5, 6, { channel: `email ${SCRIPT}` });
    const pm = buildPostmortem(doc);
    for (const format of ["html", "confluence"] as const) {
      const out = render(pm, format);
      expect(out, format).not.toMatch(/<script/i);
      expect(out, format).toContain(
        "Status &#x3C;script>alert(1)&#x3C;/script> — via email &#x3C;script>",
      );
    }
    expect(render(pm, "markdown")).toContain("Status \\<script>alert(1)\\</script>");
  });
});
