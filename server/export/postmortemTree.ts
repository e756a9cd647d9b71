import type {
  BlockContent,
  List,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableRow,
} from "mdast";
import type { CellText } from "./customNodes.ts";
import { formatInstant } from "./instants.ts";
import type { Postmortem } from "./postmortem.ts";
import { notesToMdast } from "./richNotes.ts";
import { sanitizeTree } from "./sanitize.ts";
import { timelineEntryWhat } from "./timelineCorrections.ts";

/**
 * The postmortem as one mdast tree, sanitized: the single description of the
 * document's sections and wording. Markdown serialises it directly; HTML and
 * Confluence are derived from it through hast (hast.ts). Class names the HTML page
 * styles are carried as `data.hProperties`, which Markdown ignores.
 */
export function postmortemTree(pm: Postmortem): Root {
  return sanitizeTree({ type: "root", children: sections(pm) });
}

const text = (value: string): PhrasingContent => ({ type: "text", value });
const strong = (value: string): PhrasingContent => ({ type: "strong", children: [text(value)] });
const emphasis = (value: string): PhrasingContent => ({
  type: "emphasis",
  children: [text(value)],
});
const heading = (depth: 1 | 2 | 3, value: string): RootContent => ({
  type: "heading",
  depth,
  children: [text(value)],
});
const paragraph = (...children: PhrasingContent[]): BlockContent => ({
  type: "paragraph",
  children,
});
const list = (items: PhrasingContent[][], className?: string): List => ({
  type: "list",
  ordered: false,
  spread: false,
  children: items.map((children) => ({
    type: "listItem",
    spread: false,
    children: [{ type: "paragraph", children }],
  })),
  ...(className ? { data: { hProperties: { className: [className] } } } : {}),
});
const fact = (label: string, value: string): PhrasingContent[] => [
  strong(`${label}:`),
  text(` ${value}`),
];
/** Where the author writes: marked the same way in every format, so none is left unfilled unnoticed. */
const toFillIn = (hint: string): BlockContent =>
  paragraph(strong("To fill in:"), text(" "), emphasis(hint));
const experiment = (x: { text: string; state: string; outcome: string }) =>
  fact(`Experiment (${x.state})`, `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`);

function table(className: string, header: string[], rows: string[][]): Table {
  const cell = (value: string): CellText => ({ type: "cellText", value });
  const row = (cells: string[]): TableRow => ({
    type: "tableRow",
    children: cells.map((value) => ({ type: "tableCell", children: [cell(value)] })),
  });
  return {
    type: "table",
    align: header.map(() => null),
    children: [row(header), ...rows.map(row)],
    data: { hProperties: { className: [className] } },
  };
}

function sections(pm: Postmortem): RootContent[] {
  const out: RootContent[] = [heading(1, pm.title)];
  if (pm.asOf)
    out.push(paragraph(emphasis(`The document as it stood at ${formatInstant(pm.asOf)}.`)));
  out.push(
    heading(2, "Summary"),
    list(
      [
        fact("Severity", `${pm.severity.level} (${pm.severity.label}): ${pm.severity.meaning}`),
        fact("Status", pm.status),
        fact("Faulty service", pm.faultyService),
        fact("Affected products", pm.products.length ? pm.products.join(", ") : "none recorded"),
        fact("Time to detect (TTD)", pm.times.ttd.text),
        fact("Time to recover (TTR)", pm.times.ttr.text),
      ],
      "facts",
    ),
  );
  for (const part of pm.summary)
    out.push(heading(3, part.title), list(part.known.map((k) => [text(k)])), toFillIn(part.hint));

  out.push(
    heading(2, "Impact"),
    list([
      fact("Impact on customers", pm.impact.description),
      fact("What customers saw", pm.impact.customersSeeing),
      fact("Customers affected", pm.impact.customersAffected),
      fact("Support cases", pm.impact.supportCases),
      fact("Other factors", pm.impact.otherFactors),
    ]),
    heading(2, "Key times"),
    list([
      fact("Start of impact", formatInstant(pm.times.startOfImpact)),
      fact("Detection", formatInstant(pm.times.detection)),
      fact("End of impact", formatInstant(pm.times.endOfImpact)),
      fact("Time to detect (TTD)", pm.times.ttd.text),
      fact("Time to recover (TTR)", pm.times.ttr.text),
    ]),
    heading(2, "Roles"),
    pm.roles.length
      ? list(pm.roles.map((r) => fact(r.role, `${r.holder} (since ${formatInstant(r.since)})`)))
      : paragraph(text("No roles were recorded.")),
  );
  if (pm.roleHistory.length)
    out.push(
      paragraph(strong("Hand-overs")),
      list(pm.roleHistory.map((r) => [text(`${formatInstant(r.at)}: ${r.text}`)])),
    );
  if (pm.links.length)
    out.push(
      heading(2, "Links"),
      list(
        pm.links.map((l) => [
          { type: "link", url: l.url, children: [text(`${l.kind}: ${l.label}`)] },
        ]),
      ),
    );
  if (pm.streams.length) out.push(...workStreams(pm.streams));
  // The stream columns appear only when there were streams; "—" marks what belonged to none.
  const streamColumn = pm.streams.length > 0;
  const streamCell = (record: { stream?: string }) => (streamColumn ? [record.stream ?? "—"] : []);

  out.push(
    heading(2, "Key events"),
    pm.keyEvents.length
      ? list(
          pm.keyEvents.map((e) => [strong(formatInstant(e.at)), text(` ${e.text} (${e.author})`)]),
        )
      : paragraph(text("No key events were marked.")),
    heading(2, "Timeline"),
    table(
      "timeline",
      ["Time (UTC)", "Who", "From", "Kind", ...(streamColumn ? ["Stream"] : []), "What"],
      pm.timeline.map((e) => [
        formatInstant(e.at),
        e.author,
        e.origin === "chat" ? `chat (${e.source})` : e.origin,
        e.keyEvent ? `${e.kind}, key event` : e.kind,
        ...streamCell(e),
        timelineEntryWhat(e),
      ]),
    ),
    heading(2, "Changes"),
  );
  for (const warning of pm.warnings)
    out.push({
      type: "warning",
      children: [{ type: "paragraph", children: [strong("Warning:"), text(` ${warning}`)] }],
    });
  out.push(
    pm.changes.length
      ? table(
          "changes",
          [
            "When (UTC)",
            "Who",
            "What",
            "How",
            "Why",
            "How to revert",
            "State",
            ...(streamColumn ? ["Stream"] : []),
          ],
          pm.changes.map((c) => [
            formatInstant(c.at),
            c.author,
            c.what,
            c.how,
            c.why,
            c.revertSteps || "none recorded",
            c.state,
            ...streamCell(c),
          ]),
        )
      : paragraph(text("No changes were recorded.")),
    heading(2, "What was tried"),
    paragraph(
      strong("Root-cause candidates:"),
      text(
        ` ${pm.tried.rootCauseCandidates.length ? pm.tried.rootCauseCandidates.join("; ") : "none confirmed"}`,
      ),
    ),
  );
  for (const theory of pm.tried.theories) {
    const items = [
      ...(theory.stream ? [fact("Work stream", theory.stream)] : []),
      ...(theory.supportedBy.length ? [fact("Supported by", theory.supportedBy.join("; "))] : []),
      ...theory.experiments.map(experiment),
    ];
    out.push(
      heading(3, `Theory (${theory.state}): ${theory.text}`),
      items.length ? list(items) : paragraph(text("No experiment tested it.")),
    );
  }
  if (pm.tried.otherExperiments.length)
    out.push(heading(3, "Other experiments"), list(pm.tried.otherExperiments.map(experiment)));
  if (pm.tried.observations.length) {
    out.push(
      heading(3, "Observations"),
      list(
        pm.tried.observations.map((o) => [
          text(
            `${o.text} (${o.author}, ${o.confirmed ? "confirmed" : "unconfirmed"}${o.stream ? `, ${o.stream}` : ""})`,
          ),
        ]),
      ),
    );
  }

  out.push(
    heading(2, "Communications sent"),
    pm.comms.length
      ? list(
          pm.comms.map((c) => [
            strong(`${formatInstant(c.sentAt)} ${c.audience}`),
            text(
              `: ${c.title || "(untitled)"}${c.channel ? ` via ${c.channel}` : ""}${c.summary ? ` — ${c.summary}` : ""}`,
            ),
          ]),
        )
      : paragraph(text("No update was marked as sent.")),
    heading(2, "Follow-ups"),
    pm.followUps.length
      ? list(
          pm.followUps.map((f) => [
            text(
              `${f.done ? "[done] " : ""}${f.text} — ${f.owner || "no owner yet"} (${f.kind === "cleanup" ? "cleanup" : "action item"}${f.stream ? `, ${f.stream}` : ""})`,
            ),
          ]),
        )
      : paragraph(text("No follow-ups yet.")),
  );
  if (pm.notes.length) out.push(heading(2, "Notes"), ...notesToMdast(pm.notes));
  for (const prompt of pm.prompts) out.push(heading(2, prompt.title), toFillIn(prompt.hint));
  return out;
}

/** "Work streams": each stream with its tech lead, its state and what was tagged with it. */
function workStreams(streams: Postmortem["streams"]): RootContent[] {
  const out: RootContent[] = [heading(2, "Work streams")];
  for (const s of streams) {
    const state =
      s.state === "done"
        ? `done${s.endedAt ? ` at ${formatInstant(s.endedAt)}` : ""}`
        : "still active";
    out.push(
      heading(3, s.name),
      list([
        fact("Tech lead", s.lead || "none named"),
        fact("Started", formatInstant(s.startedAt)),
        fact("State", state),
      ]),
      ...(s.tagged.length
        ? [
            paragraph(strong("What belongs to it")),
            list(s.tagged.map((t) => [strong(formatInstant(t.at)), text(` ${t.kind}: ${t.text}`)])),
          ]
        : [paragraph(text("Nothing was tagged with this stream."))]),
    );
  }
  return out;
}
