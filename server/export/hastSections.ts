import type { ElementContent } from "hast";
import { h } from "hastscript";
import { formatInstant } from "./instants.ts";
import type { Postmortem } from "./postmortem.ts";
import { notesToHast } from "./richNotes.ts";

/** How a renderer shows a warning box: a styled div in HTML, a warning macro in Confluence. */
export type WarningBox = (content: ElementContent[]) => ElementContent;

const fact = (label: string, value: string) => h("li", [h("strong", `${label}: `), value]);
const table = (header: string[], rows: (string | ElementContent)[][], className?: string) =>
  h("table", className ? { className } : {}, [
    h("thead", [h("tr", header.map((cell) => h("th", cell)))]),
    h("tbody", rows.map((row) => h("tr", row.map((cell) => h("td", [cell]))))),
  ]);

/** The postmortem's sections as hast, shared by the HTML and Confluence renderers. */
export function postmortemSections(pm: Postmortem, warningBox: WarningBox): ElementContent[] {
  const out: ElementContent[] = [h("h1", pm.title)];
  if (pm.asOf) out.push(h("p", [h("em", `The document as it stood at ${formatInstant(pm.asOf)}.`)]));
  out.push(
    h("ul", { className: "facts" }, [
      fact("Severity", `${pm.severity.level} (${pm.severity.label}): ${pm.severity.meaning}`),
      fact("Status", pm.status),
      fact("Faulty service", pm.faultyService),
      fact("Affected products", pm.products.length ? pm.products.join(", ") : "none recorded"),
    ]),
  );
  out.push(
    h("h2", "Impact"),
    h("ul", [
      fact("Impact on customers", pm.impact.description),
      fact("What customers saw", pm.impact.customersSeeing),
      fact("Customers affected", pm.impact.customersAffected),
      fact("Support cases", pm.impact.supportCases),
      fact("Other factors", pm.impact.otherFactors),
    ]),
    h("h2", "Key times"),
    h("ul", [
      fact("Start of impact", formatInstant(pm.times.startOfImpact)),
      fact("Detection", formatInstant(pm.times.detection)),
      fact("End of impact", formatInstant(pm.times.endOfImpact)),
      fact("Time to detect (TTD)", pm.times.ttd.text),
      fact("Time to recover (TTR)", pm.times.ttr.text),
    ]),
    h("h2", "Roles"),
    pm.roles.length ? h("ul", pm.roles.map((r) => fact(r.role, `${r.holder} (since ${formatInstant(r.since)})`))) : h("p", "No roles were recorded."),
  );
  if (pm.roleHistory.length) out.push(h("p", [h("strong", "Hand-overs")]), h("ul", pm.roleHistory.map((r) => h("li", `${formatInstant(r.at)}: ${r.text}`))));
  if (pm.links.length) out.push(h("h2", "Links"), h("ul", pm.links.map((l) => h("li", [h("a", { href: l.url }, `${l.kind}: ${l.label}`)]))));

  out.push(
    h("h2", "Key events"),
    pm.keyEvents.length ? h("ul", pm.keyEvents.map((e) => h("li", [h("strong", formatInstant(e.at)), ` ${e.text} (${e.author})`]))) : h("p", "No key events were marked."),
    h("h2", "Timeline"),
    table(
      ["Time (UTC)", "Who", "From", "Kind", "What"],
      pm.timeline.map((e) => [
        formatInstant(e.at),
        e.author,
        e.origin === "chat" ? `chat (${e.source})` : e.origin,
        e.keyEvent ? `${e.kind}, key event` : e.kind,
        `${e.text}${e.deleted ? " (deleted at source)" : e.edited ? " (edited)" : ""}`,
      ]),
      "timeline",
    ),
    h("h2", "Changes"),
  );
  for (const warning of pm.warnings) out.push(warningBox([h("p", warning)]));
  out.push(
    pm.changes.length
      ? table(["When (UTC)", "Who", "What", "How", "Why", "How to revert", "State"], pm.changes.map((c) => [formatInstant(c.at), c.author, c.what, c.how, c.why, c.revertSteps || "none recorded", c.state]), "changes")
      : h("p", "No changes were recorded."),
    h("h2", "What was tried"),
    h("p", [h("strong", "Root-cause candidates: "), pm.tried.rootCauseCandidates.length ? pm.tried.rootCauseCandidates.join("; ") : "none confirmed"]),
  );
  for (const theory of pm.tried.theories) {
    const items = [
      ...(theory.supportedBy.length ? [fact("Supported by", theory.supportedBy.join("; "))] : []),
      ...theory.experiments.map((x) => fact(`Experiment (${x.state})`, `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`)),
    ];
    out.push(h("h3", `Theory (${theory.state}): ${theory.text}`), items.length ? h("ul", items) : h("p", "No experiment tested it."));
  }
  if (pm.tried.otherExperiments.length) {
    out.push(h("h3", "Other experiments"), h("ul", pm.tried.otherExperiments.map((x) => fact(`Experiment (${x.state})`, `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`))));
  }
  if (pm.tried.observations.length) {
    out.push(h("h3", "Observations"), h("ul", pm.tried.observations.map((o) => h("li", `${o.text} (${o.author}, ${o.confirmed ? "confirmed" : "unconfirmed"})`))));
  }
  out.push(
    h("h2", "Communications sent"),
    pm.comms.length
      ? h("ul", pm.comms.map((c) => h("li", [h("strong", `${formatInstant(c.sentAt)} ${c.audience}`), `: ${c.title || "(untitled)"}${c.channel ? ` via ${c.channel}` : ""}${c.summary ? ` — ${c.summary}` : ""}`])))
      : h("p", "No update was marked as sent."),
    h("h2", "Follow-ups"),
    pm.followUps.length
      ? h("ul", pm.followUps.map((f) => h("li", `${f.done ? "[done] " : ""}${f.text} — ${f.owner || "no owner yet"} (${f.kind === "cleanup" ? "cleanup" : "action item"})`)))
      : h("p", "No follow-ups yet."),
  );
  if (pm.notes.length) out.push(h("h2", "Notes"), ...notesToHast(pm.notes));
  for (const prompt of pm.prompts) out.push(h("h2", prompt.title), h("p", [h("em", prompt.hint)]));
  return out;
}
