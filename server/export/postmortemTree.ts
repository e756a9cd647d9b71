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
    ...paging(pm.pages),
    ...communications(pm),
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

const AUDIENCE_LABELS: Record<string, string> = { internal: "Internal", external: "External" };
const audienceLabel = (audience: string) => AUDIENCE_LABELS[audience] ?? audience;

/**
 * "Paging": each page with its team, provider and why, when it was sent, acknowledged
 * (by whom, how fast) and resolved, or why it failed. The records hold no secret (no
 * routing key), and nothing here adds one.
 */
function paging(pages: Postmortem["pages"]): RootContent[] {
  if (!pages.length)
    return [heading(2, "Paging"), paragraph(text("No one was paged through hotdoc."))];
  return [
    heading(2, "Paging"),
    table(
      "pages",
      [
        "Team",
        "Through",
        "Why",
        "Sent (UTC)",
        "Acknowledged (UTC)",
        "By",
        "Time to acknowledge",
        "Resolved (UTC)",
        "Outcome",
      ],
      pages.map((p) => [
        p.team,
        p.provider,
        `${p.reason === "declared" ? "paged on declaration" : p.reason}${p.note ? `: ${p.note}` : ""}`,
        p.sentAt ? formatInstant(p.sentAt) : "not sent",
        p.acknowledgedAt ? formatInstant(p.acknowledgedAt) : "never",
        p.acknowledgedBy || (p.acknowledgedAt ? "unknown" : "—"),
        p.timeToAcknowledge?.text ?? "—",
        p.resolvedAt ? formatInstant(p.resolvedAt) : "—",
        p.error !== null
          ? `failed: ${p.error || "no reason given"}`
          : p.state === "sending"
            ? "still sending"
            : p.state,
      ]),
    ),
  ];
}

/**
 * "Communications sent": how soon each audience heard first, then each audience's updates
 * in time order with where they went, the gap since the one before and a flag when an
 * update came later than the one before it promised.
 */
function communications(pm: Postmortem): RootContent[] {
  const out: RootContent[] = [heading(2, "Communications sent")];
  if (!pm.comms.length) {
    out.push(paragraph(text("No update was marked as sent.")));
    return out;
  }
  out.push(
    list(
      pm.firstUpdates.map((f) =>
        fact(
          `First ${audienceLabel(f.audience).toLowerCase()} update`,
          `${formatInstant(f.sentAt)}, ${f.after.text} after the ${f.from}${f.fromAt ? ` (${formatInstant(f.fromAt)})` : ""}`,
        ),
      ),
      "facts",
    ),
  );
  let audience: string | undefined;
  let items: PhrasingContent[][] = [];
  const flush = () => {
    if (audience !== undefined)
      out.push(heading(3, `${audienceLabel(audience)} updates`), list(items));
    items = [];
  };
  for (const c of pm.comms) {
    if (c.audience !== audience) {
      flush();
      audience = c.audience;
    }
    const item: PhrasingContent[] = [
      strong(formatInstant(c.sentAt)),
      text(` ${c.title || "(untitled)"}${c.final ? " (final update, posted on resolve)" : ""}`),
    ];
    if (c.destinations.length) {
      item.push(text(" — via "));
      c.destinations.forEach((d, i) => {
        if (i) item.push(text(", "));
        item.push(d.url ? { type: "link", url: d.url, children: [text(d.name)] } : text(d.name));
      });
    }
    if (c.gap) item.push(text(` — ${c.gap.text} since the previous update`));
    if (c.lateBy)
      item.push(
        text(" — "),
        strong(`late by ${c.lateBy.text}`),
        text(` (the previous update promised the next by ${formatInstant(c.dueAt)})`),
      );
    if (c.summary) item.push(text(`: ${c.summary}`));
    items.push(item);
  }
  flush();
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
