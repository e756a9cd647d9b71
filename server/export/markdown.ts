import type { Root, RootContent, Table, TableRow, PhrasingContent } from "mdast";
import { gfmToMarkdown } from "mdast-util-gfm";
import { toMarkdown } from "mdast-util-to-markdown";
import { formatInstant } from "./instants.ts";
import type { Postmortem } from "./postmortem.ts";
import { notesToMdast } from "./richNotes.ts";

/**
 * The postmortem as Markdown: an mdast tree serialised by mdast-util-to-markdown
 * (CommonMark, with GFM tables so GitHub renders the change log and timeline as
 * tables). Building a tree rather than strings leaves escaping to the library.
 */
export function toMarkdownDocument(pm: Postmortem): string {
  const root: Root = { type: "root", children: markdownSections(pm) };
  return toMarkdown(root, {
    // Cells are not padded to align the pipes, and their text goes through the
    // `cellText` handler below: on a 10,000-row timeline the library's general
    // escaping of every cell costs over a second.
    extensions: [gfmToMarkdown({ tablePipeAlign: false })],
    handlers: { cellText: (node: CellText) => escapeCell(node.value) } as never,
    bullet: "-",
    emphasis: "_",
    rule: "-",
  });
}

/** Text in a table cell: inline content only, so block markers need no escape. */
interface CellText {
  type: "cellText";
  value: string;
}

/**
 * Backslash-escapes the ASCII punctuation that can start inline markup (CommonMark
 * lets any ASCII punctuation be escaped) and the GFM cell separator; line breaks
 * become spaces because a table row is one line.
 */
export function escapeCell(value: string): string {
  return value.replace(/\r?\n+/g, " ").replace(/[\\`*_[\]<>|&~!]/g, "\\$&");
}

const text = (value: string): PhrasingContent => ({ type: "text", value });
const strong = (value: string): PhrasingContent => ({ type: "strong", children: [text(value)] });
const heading = (depth: 1 | 2 | 3, value: string): RootContent => ({ type: "heading", depth, children: [text(value)] });
const paragraph = (...children: PhrasingContent[]): RootContent => ({ type: "paragraph", children });
const list = (items: PhrasingContent[][]): RootContent => ({
  type: "list",
  ordered: false,
  spread: false,
  children: items.map((children) => ({ type: "listItem", spread: false, children: [{ type: "paragraph", children }] })),
});
const fact = (label: string, value: string): PhrasingContent[] => [strong(`${label}:`), text(` ${value}`)];

function table(header: string[], rows: string[][]): Table {
  const cellText = (value: string) => ({ type: "cellText", value }) as unknown as PhrasingContent;
  const row = (cells: string[]): TableRow => ({ type: "tableRow", children: cells.map((cell) => ({ type: "tableCell", children: [cellText(cell)] })) });
  return { type: "table", align: header.map(() => null), children: [row(header), ...rows.map(row)] };
}

function markdownSections(pm: Postmortem): RootContent[] {
  const out: RootContent[] = [heading(1, pm.title)];
  if (pm.asOf) out.push(paragraph({ type: "emphasis", children: [text(`The document as it stood at ${formatInstant(pm.asOf)}.`)] }));
  out.push(
    list([
      fact("Severity", `${pm.severity.level} (${pm.severity.label}): ${pm.severity.meaning}`),
      fact("Status", pm.status),
      fact("Faulty service", pm.faultyService),
      fact("Affected products", pm.products.length ? pm.products.join(", ") : "none recorded"),
    ]),
  );

  out.push(heading(2, "Impact"));
  out.push(
    list([
      fact("Impact on customers", pm.impact.description),
      fact("What customers saw", pm.impact.customersSeeing),
      fact("Customers affected", pm.impact.customersAffected),
      fact("Support cases", pm.impact.supportCases),
      fact("Other factors", pm.impact.otherFactors),
    ]),
  );

  out.push(heading(2, "Key times"));
  out.push(
    list([
      fact("Start of impact", formatInstant(pm.times.startOfImpact)),
      fact("Detection", formatInstant(pm.times.detection)),
      fact("End of impact", formatInstant(pm.times.endOfImpact)),
      fact("Time to detect (TTD)", pm.times.ttd.text),
      fact("Time to recover (TTR)", pm.times.ttr.text),
    ]),
  );

  out.push(heading(2, "Roles"));
  out.push(pm.roles.length ? list(pm.roles.map((r) => fact(r.role, `${r.holder} (since ${formatInstant(r.since)})`))) : paragraph(text("No roles were recorded.")));
  if (pm.roleHistory.length) out.push(paragraph(strong("Hand-overs")), list(pm.roleHistory.map((r) => [text(`${formatInstant(r.at)}: ${r.text}`)])));
  if (pm.links.length) {
    out.push(heading(2, "Links"));
    out.push(list(pm.links.map((l) => [{ type: "link", url: l.url, children: [text(`${l.kind}: ${l.label}`)] }])));
  }

  out.push(heading(2, "Key events"));
  out.push(pm.keyEvents.length ? list(pm.keyEvents.map((e) => [strong(formatInstant(e.at)), text(` ${e.text} (${e.author})`)])) : paragraph(text("No key events were marked.")));

  out.push(heading(2, "Timeline"));
  out.push(
    table(
      ["Time (UTC)", "Who", "From", "Kind", "What"],
      pm.timeline.map((e) => [
        formatInstant(e.at),
        e.author,
        e.origin === "chat" ? `chat (${e.source})` : e.origin,
        e.keyEvent ? `${e.kind}, key event` : e.kind,
        `${e.text}${e.deleted ? " (deleted at source)" : e.edited ? " (edited)" : ""}`,
      ]),
    ),
  );

  out.push(heading(2, "Changes"));
  for (const warning of pm.warnings) out.push(paragraph(strong("Warning:"), text(` ${warning}`)));
  out.push(
    pm.changes.length
      ? table(["When (UTC)", "Who", "What", "How", "Why", "How to revert", "State"], pm.changes.map((c) => [formatInstant(c.at), c.author, c.what, c.how, c.why, c.revertSteps || "none recorded", c.state]))
      : paragraph(text("No changes were recorded.")),
  );

  out.push(heading(2, "What was tried"));
  out.push(paragraph(strong("Root-cause candidates:"), text(` ${pm.tried.rootCauseCandidates.length ? pm.tried.rootCauseCandidates.join("; ") : "none confirmed"}`)));
  for (const theory of pm.tried.theories) {
    out.push(heading(3, `Theory (${theory.state}): ${theory.text}`));
    const items: PhrasingContent[][] = [];
    if (theory.supportedBy.length) items.push(fact("Supported by", theory.supportedBy.join("; ")));
    for (const x of theory.experiments) items.push(fact(`Experiment (${x.state})`, `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`));
    if (items.length === 0) items.push([text("No experiment tested it.")]);
    out.push(list(items));
  }
  if (pm.tried.otherExperiments.length) {
    out.push(heading(3, "Other experiments"));
    out.push(list(pm.tried.otherExperiments.map((x) => fact(`Experiment (${x.state})`, `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`))));
  }
  if (pm.tried.observations.length) {
    out.push(heading(3, "Observations"));
    out.push(list(pm.tried.observations.map((o) => [text(`${o.text} (${o.author}, ${o.confirmed ? "confirmed" : "unconfirmed"})`)])));
  }

  out.push(heading(2, "Communications sent"));
  out.push(pm.comms.length ? list(pm.comms.map((c) => [strong(`${formatInstant(c.sentAt)} ${c.audience}`), text(`: ${c.title || "(untitled)"}${c.channel ? ` via ${c.channel}` : ""}${c.summary ? ` — ${c.summary}` : ""}`)])) : paragraph(text("No update was marked as sent.")));

  out.push(heading(2, "Follow-ups"));
  out.push(pm.followUps.length ? list(pm.followUps.map((f) => [text(`${f.done ? "[done] " : ""}${f.text} — ${f.owner || "no owner yet"} (${f.kind === "cleanup" ? "cleanup" : "action item"})`)])) : paragraph(text("No follow-ups yet.")));

  if (pm.notes.length) {
    out.push(heading(2, "Notes"));
    out.push(...notesToMdast(pm.notes));
  }

  for (const prompt of pm.prompts) {
    out.push(heading(2, prompt.title));
    out.push(paragraph({ type: "emphasis", children: [text(prompt.hint)] }));
  }
  return out;
}
