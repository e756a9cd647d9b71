import fs from "node:fs";
import path from "node:path";
import { Parser } from "commonmark";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { parseChatCommand } from "#shared/chat/commands.ts";
import {
  appendTimelineEntry,
  editTimelineEntry,
  findStream,
  initIncident,
} from "#shared/doc/index.ts";
import { runChatCommand } from "../../server/bridge/runChatCommand.ts";
import { EXPORT_REGISTRY, render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";
import { realisticIncident } from "../helpers/realisticIncident.ts";

const GOLDEN = path.resolve(import.meta.dirname, "..", "golden");

describe("the postmortem draft", () => {
  const pm = buildPostmortem(realisticIncident());

  it("carries the document's facts: title, severity, times with TTD and TTR, roles", () => {
    expect(pm.title).toBe("HOT-42 - Checkout fails for EU customers");
    expect(pm.severity).toEqual({
      level: 1,
      label: "Critical",
      meaning: "A critical incident with very high impact",
    });
    expect(pm.times.ttd).toEqual({ ms: 7 * 60_000, text: "7m 00s" });
    expect(pm.times.ttr).toEqual({ ms: 62 * 60_000, text: "1h 02m" });
    expect(pm.roles.map((r) => `${r.role}: ${r.holder}`)).toEqual([
      "Incident manager: Priya Natarajan",
      "Tech lead: Marco Rossi",
      "Tech lead · Release rollback: Marco Rossi",
    ]);
    expect(pm.impact.otherFactors).toBe("Unknown");
  });

  it("keeps the timeline chronological, with chat and hand-written entries told apart and key events first-class", () => {
    const times = pm.timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(pm.timeline.find((e) => e.text === "5xx rate at 31% in EU since 14:00")).toMatchObject({
      origin: "chat",
      source: "slack",
    });
    expect(pm.timeline.find((e) => e.kind === "observation")).toMatchObject({ origin: "manual" });
    expect(pm.keyEvents.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["status", "severity", "comms"]),
    );
    expect(pm.keyEvents.every((e) => e.keyEvent)).toBe(true);
  });

  it("warns about changes still applied, and lists what was tried with root-cause candidates", () => {
    expect(pm.warnings).toEqual([
      "Still applied, never reverted or superseded: Rolled back payments-api to v2024.11.2 (revert: deployctl deploy payments-api v2024.11.3)",
      "Still applied, never reverted or superseded: Raised max_connections to 800 (revert: ALTER SYSTEM SET max_connections = 500)",
    ]);
    expect(pm.tried.rootCauseCandidates).toEqual(["The new release opens a connection per retry"]);
    expect(pm.tried.theories.find((t) => t.state === "disproved")?.experiments).toEqual([
      { text: "Check the primary's health", state: "done", outcome: "Primary healthy" },
    ]);
    // Two internal updates, an external one and the final one on resolve; the draft is left out.
    expect(pm.comms).toHaveLength(4);
    expect(pm.followUps.map((f) => f.owner)).toEqual(["Marco Rossi", "Aiko Tanaka"]);
    expect(pm.prompts.map((p) => p.title)).toEqual([
      "Root cause: five whys",
      "What went well",
      "What could be improved",
    ]);
  });

  it("lists the work streams with their leads, states and what was tagged with them, and shows the stream on tagged rows", () => {
    expect(
      pm.streams.map((s) => ({ name: s.name, lead: s.lead, state: s.state, ended: s.endedAt })),
    ).toEqual([
      { name: "Release rollback", lead: "Marco Rossi", state: "active", ended: null },
      {
        name: "Database health",
        lead: "Aiko Tanaka",
        state: "done",
        ended: "2026-11-20T14:17:45.000Z",
      },
    ]);
    const [release, database] = pm.streams;
    expect(release.tagged.map((t) => `${t.kind}: ${t.text}`)).toEqual([
      "role: Marco Rossi is Tech lead · Release rollback (new work stream)",
      "observation: v2024.11.3 rolled out to EU at 13:58",
      "theory (confirmed): The new release opens a connection per retry",
      "experiment (done): Roll back to v2024.11.2 in EU — outcome: 5xx back to 0.1% in 4 minutes",
      "change (applied): Rolled back payments-api to v2024.11.2",
      "follow-up: Fix the retry path to reuse pooled connections — Marco Rossi",
    ]);
    expect(database.tagged.map((t) => t.kind)).toEqual([
      "role",
      "theory (disproved)",
      "experiment (done)",
      "note",
      "note",
    ]);
    expect(database.tagged.at(-1)?.text).toBe(
      "Work stream done: Database health (led by Aiko Tanaka)",
    );
    // Timeline rows and records carry their stream; the shared observation has none.
    expect(
      pm.timeline.find((e) => e.text === "Theory: The EU database primary is degraded")?.stream,
    ).toBe("Database health");
    expect(
      pm.tried.observations.find((o) => o.text.includes("pool exhausted"))?.stream,
    ).toBeUndefined();
    expect(pm.changes.map((c) => c.stream ?? null)).toEqual(["Release rollback", null, null]);

    const markdown = render(pm, "markdown");
    expect(markdown).toContain("### Database health");
    expect(markdown).toContain("**Tech lead:** Aiko Tanaka");
    expect(markdown).toContain("**State:** done at 2026-11-20 14:17:45 UTC");
    expect(markdown).toMatch(/\| Time \(UTC\) \| Who \| From \| Kind \| Stream \| What \|/);
  });

  it("renders Markdown that a CommonMark parser reads into the expected headings", () => {
    const markdown = render(pm, "markdown");
    const walker = new Parser().parse(markdown).walker();
    const headings: string[] = [];
    for (let event = walker.next(); event; event = walker.next()) {
      if (event.entering && event.node.type === "heading") {
        let text = "";
        const inner = event.node.walker();
        for (let step = inner.next(); step; step = inner.next())
          if (step.entering && step.node.literal) text += step.node.literal;
        headings.push(`${event.node.level} ${text}`);
      }
    }
    expect(headings.filter((h) => h.startsWith("1 ") || h.startsWith("2 "))).toEqual([
      "1 HOT-42 - Checkout fails for EU customers",
      "2 Summary",
      "2 Impact",
      "2 Key times",
      "2 Roles",
      "2 Links",
      "2 Work streams",
      "2 Key events",
      "2 Timeline",
      "2 Changes",
      "2 What was tried",
      "2 Paging",
      "2 Communications sent",
      "2 Follow-ups",
      "2 Notes",
      "2 Root cause: five whys",
      "2 What went well",
      "2 What could be improved",
    ]);
    expect(markdown).toContain("**Time to detect (TTD):** 7m 00s");
    expect(markdown).toContain("**Time to recover (TTR):** 1h 02m");
    expect(markdown).toContain(
      "**Warning:** Still applied, never reverted or superseded: Rolled back payments-api",
    );
  });

  it("renders Confluence storage format that is well-formed XHTML", () => {
    const storage = render(pm, "confluence");
    const wrapped = `<root xmlns="http://www.w3.org/1999/xhtml" xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">${storage}</root>`;
    expect(XMLValidator.validate(wrapped)).toBe(true);
    expect(storage).toContain('<ac:structured-macro ac:name="warning"><ac:rich-text-body>');
    expect(storage).not.toMatch(/<(html|head|body|script|style)\b/);
  });

  it("gives byte-identical output for the same document, matching the golden files", () => {
    const rewritten: string[] = [];
    for (const format of EXPORT_REGISTRY) {
      const first = format.render(buildPostmortem(realisticIncident()));
      const second = format.render(buildPostmortem(realisticIncident()));
      expect(second, format.id).toBe(first);
      const file = path.join(GOLDEN, `postmortem.${format.extension}`);
      // Rewriting a golden file and then comparing with it would always pass: with
      // UPDATE_GOLDEN=1 the files that differ are rewritten and the test fails, so a
      // run that changed them never counts as green; the next run checks them.
      if (process.env.UPDATE_GOLDEN === "1") {
        if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== first) {
          fs.writeFileSync(file, first);
          rewritten.push(file);
        }
        continue;
      }
      expect(
        first,
        `${format.id} differs from ${file} (UPDATE_GOLDEN=1 rewrites it after a deliberate change; review the diff)`,
      ).toBe(fs.readFileSync(file, "utf8"));
    }
    expect(
      rewritten,
      "golden files rewritten; check their diff and run again without UPDATE_GOLDEN",
    ).toEqual([]);
  });

  it("has one registry entry with a renderer for every format the client can ask for", () => {
    expect(EXPORT_REGISTRY.map((f) => f.id).sort()).toEqual([
      "confluence",
      "html",
      "json",
      "markdown",
    ]);
    expect(new Set(EXPORT_REGISTRY.map((f) => f.extension)).size).toBe(EXPORT_REGISTRY.length);
    for (const format of EXPORT_REGISTRY)
      expect(render(pm, format.id), format.id).toBe(format.render(pm));
  });

  it("opens with a Summary: the document's facts, then what happened, impact, root cause and resolution for the author", () => {
    expect(pm.summary.map((part) => part.title)).toEqual([
      "What happened",
      "Impact",
      "Root cause",
      "Resolution",
    ]);
    const known = pm.summary.flatMap((part) => part.known);
    expect(known).toEqual(
      expect.arrayContaining([
        "Declared as: Checkout fails for EU customers (severity 1, Critical).",
        "Impact lasted 1h 02m (time to recover, TTR), until 2026-11-20 15:02:00 UTC.",
        "Confirmed during the incident: The new release opens a connection per retry.",
        expect.stringContaining("2 changes are still applied"),
      ]),
    );
    const markdown = render(pm, "markdown");
    // The Summary comes first, right under the title, with TTD and TTR.
    const summary = markdown.slice(
      markdown.indexOf("\n## Summary"),
      markdown.indexOf("\n## Impact"),
    );
    expect(markdown.split("\n")[2]).toBe("## Summary");
    expect(summary).toContain("**Time to detect (TTD):** 7m 00s");
    expect(summary).toContain("**Time to recover (TTR):** 1h 02m");
    expect(summary).toContain("### Root cause");
    // Every place the author writes is marked the same way: the four parts and the prompts.
    expect(summary.match(/\*\*To fill in:\*\* _/g)).toHaveLength(4);
    expect(markdown.match(/\*\*To fill in:\*\* _/g)).toHaveLength(4 + pm.prompts.length);
    expect(render(pm, "html")).toContain("<h2>Summary</h2>");
    expect(render(pm, "confluence").match(/<strong>To fill in:<\/strong>/g)).toHaveLength(7);
  });

  it("says in the Summary what is unknown, and escapes what people wrote in every format", () => {
    const doc = new Y.Doc();
    initIncident(doc, {
      key: "HOT-7",
      summary: "<img src=x onerror=alert(1)> *all* [down](javascript:alert(1))",
      severity: 2,
      actor: { name: "Ana", source: "editor" },
      now: new Date("2026-11-20T14:00:00Z"),
    });
    const unknown = buildPostmortem(doc);
    expect(unknown.summary.flatMap((part) => part.known)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("the start of impact is not recorded"),
        "Impact on customers: unknown.",
        expect.stringContaining("How long the impact lasted is unknown"),
        "No theory was confirmed during the incident: the root cause is unknown so far.",
        "End of impact not recorded; status new.",
      ]),
    );
    const html = render(unknown, "html");
    expect(html).not.toMatch(/<img|<a [^>]*javascript/i);
    expect(html).toContain("&#x3C;img src=x onerror=alert(1)>");
    expect(render(unknown, "confluence")).not.toMatch(/<img/i);
    const markdown = render(unknown, "markdown");
    expect(markdown).toContain("Declared as: \\<img src=x onerror=alert(1)> \\*all\\* \\[down]");
  });

  it("lists a chat command once: the record it wrote stays, the chat line that asked for it goes", () => {
    const doc = new Y.Doc();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute)).toISOString();
    initIncident(doc, {
      key: "HOT-9",
      summary: "Search is down",
      severity: 2,
      actor: { name: "Ana", source: "editor" },
      now: new Date(at(0)),
    });
    // What the bridge does with a message (ChatMirror): mirror the line, then run its command
    // as its author, at its time; a stream named in brackets tags both.
    const say = (minute: number, author: string, text: string, id = `${minute}`) => {
      const parsed = parseChatCommand(text);
      const command = "command" in parsed ? parsed.command : undefined;
      const streamId =
        command && "stream" in command && command.stream
          ? findStream(doc, command.stream).id
          : undefined;
      appendTimelineEntry(doc, {
        id: `slack:C0HOT9:${id}`,
        at: at(minute),
        author,
        source: "slack",
        kind: "chat",
        text,
        external: { platform: "slack", channel: "C0HOT9", messageId: id },
        streamId,
      });
      if (command)
        runChatCommand(doc, command, { name: author, source: "slack" }, at(minute), streamId);
    };
    say(1, "ana", "looking at the search dashboards");
    say(2, "ana", "obs: search-api returns 503 for every query");
    say(3, "bo", "sev 1");
    say(4, "bo", "im @ana");
    say(5, "ana", "status fixing");
    say(6, "ana", "help");
    say(7, "ana", "sev 1");
    say(8, "bo", "stream: Index rebuild lead @bo");
    say(9, "bo", "theory [index]: the nightly reindex left the index empty");
    // Some platforms give times to the second: a plain message, and a command that changed
    // nothing, said in the same second as a command that wrote, are still listed.
    say(10, "ana", "obs: the index has 0 documents", "10a");
    say(10, "ana", "rebuilding it now", "10b");
    say(10, "ana", "sev 1", "10c");
    const written = buildPostmortem(doc);
    const rows = written.timeline.map((e) => `${e.kind}: ${e.text}`);
    for (const line of [
      "obs: search-api returns 503 for every query",
      "im @ana",
      "status fixing",
      "stream: Index rebuild lead @bo",
      "theory [index]: the nightly reindex left the index empty",
    ])
      expect(rows).not.toContain(`chat: ${line}`);
    expect(rows).not.toContain("chat: obs: the index has 0 documents");
    expect(rows).toContain("chat: rebuilding it now");
    // The first `sev 1` changed the severity; the later ones changed nothing: their lines stay.
    expect(rows.filter((r) => r === "chat: sev 1")).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        "chat: looking at the search dashboards",
        "observation: search-api returns 503 for every query",
        "severity: Severity changed from 2 (Major) to 1 (Critical)",
        "role: ana is Incident manager",
        "status: Status changed from new to fixing",
        "chat: help",
        "theory: Theory: the nightly reindex left the index empty",
      ]),
    );
    const [stream] = written.streams;
    expect(stream.tagged.map((t) => `${t.kind}: ${t.text}`)).not.toContain(
      "chat: theory [index]: the nightly reindex left the index empty",
    );
    expect(stream.tagged.map((t) => t.kind)).toContain("theory (open)");
    const markdown = render(written, "markdown");
    expect(markdown.match(/search-api returns 503 for every query/g)).toHaveLength(
      // The timeline row and the observations list under "What was tried".
      2,
    );
  });

  it("keeps a command's chat line that was edited at the source: the record no longer says what the line says", () => {
    const doc = new Y.Doc();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute)).toISOString();
    initIncident(doc, {
      key: "HOT-9",
      summary: "Search is down",
      severity: 2,
      actor: { name: "Ana", source: "editor" },
      now: new Date(at(0)),
    });
    const say = (minute: number, text: string) => {
      const id = `slack:C0HOT9:${minute}`;
      appendTimelineEntry(doc, {
        id,
        at: at(minute),
        author: "ana",
        source: "slack",
        kind: "chat",
        text,
        external: { platform: "slack", channel: "C0HOT9", messageId: `${minute}` },
      });
      const parsed = parseChatCommand(text);
      if ("command" in parsed)
        runChatCommand(
          doc,
          parsed.command,
          { name: "ana", source: "slack" },
          at(minute),
          undefined,
        );
      return id;
    };
    const edited = say(1, "obs: search-api returns 503 for every query");
    say(2, "obs: the index has 0 documents");
    // Slack's message_changed, as the bridge follows it (ChatMirror): the observation stays as written.
    editTimelineEntry(doc, edited, "obs: search-api returns 503 for EU queries only", at(3));
    const rows = buildPostmortem(doc).timeline.map((e) => `${e.kind}: ${e.text}`);
    expect(rows).toContain("chat: obs: search-api returns 503 for EU queries only");
    expect(rows).toContain("observation: search-api returns 503 for every query");
    // An unedited command line still goes.
    expect(rows).not.toContain("chat: obs: the index has 0 documents");
    expect(rows).toContain("observation: the index has 0 documents");
  });
});
