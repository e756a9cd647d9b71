import type { IncidentDocument } from "../doc/read.ts";
import { formatDuration } from "../doc/times.ts";
import { SEVERITY_INFO } from "../doc/vocabulary.ts";

/** One line of the handbook's completeness checklist for an update. */
export interface ChecklistItem {
  question: string;
  answer: string;
  /** False when the answer is an explicit "unknown": the update must say so rather than omit it. */
  known: boolean;
}

export interface UpdateDraft {
  audience: "internal" | "external";
  title: string;
  summary: string;
  currentStatus: string[];
  nextSteps: string[];
  nextUpdate: string;
  checklist: ChecklistItem[];
}

const UNKNOWN = "currently unknown";

/** `<key> - <severity> - <summary>`: the name used for the update, the status page incident and the email subject. */
export function updateTitle(
  incident: Pick<IncidentDocument, "key" | "severity" | "summary">,
): string {
  return `${incident.key} - Sev ${incident.severity} - ${incident.summary}`;
}

function known(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim().length > 0;
}

/**
 * The handbook's checklist answered from the document: impact, how many are
 * affected, root cause (confirmed theories), ETA, next update. Unknowns are stated.
 */
export function commsChecklist(incident: IncidentDocument, nextUpdate = ""): ChecklistItem[] {
  const impact = [incident.description, incident.assessment.customersSeeing]
    .filter(known)
    .join(" ");
  const confirmed = incident.theories.filter((t) => t.state === "confirmed").map((t) => t.text);
  return [
    {
      question: "What is the actual impact on customers?",
      answer: impact || UNKNOWN,
      known: impact.length > 0,
    },
    {
      question: "How many internal and external customers are affected?",
      answer: known(incident.assessment.customersAffected)
        ? incident.assessment.customersAffected
        : UNKNOWN,
      known: known(incident.assessment.customersAffected),
    },
    {
      question: "If the root cause is known, what is it?",
      answer: confirmed.length ? confirmed.join("; ") : `The root cause is ${UNKNOWN}`,
      known: confirmed.length > 0,
    },
    {
      question: "If there is an ETA for restoration, what is it?",
      answer: incident.times.endedAt
        ? `Restored at ${incident.times.endedAt.slice(0, 16).replace("T", " ")} UTC`
        : `ETA ${UNKNOWN}`,
      known: Boolean(incident.times.endedAt),
    },
    {
      question: "When and where will the next update be?",
      answer: nextUpdate || "not set",
      known: known(nextUpdate),
    },
  ];
}

/**
 * An internal update prefilled from the document: a one-to-two sentence summary,
 * 2–4 current-status bullets, 2–4 next steps, and the checklist.
 */
export function draftInternalUpdate(
  incident: IncidentDocument,
  nextUpdate = "In 30 minutes, here and by email",
): UpdateDraft {
  const severity = SEVERITY_INFO[incident.severity];
  const impact = known(incident.assessment.customersSeeing)
    ? incident.assessment.customersSeeing
    : incident.description;
  const state =
    incident.status === "resolved" || incident.status === "closed"
      ? "The incident is resolved and business impact has ended."
      : "We are investigating and working on a fix.";
  const summary = `${incident.summary} (${severity.label.toLowerCase()}, affecting ${incident.service === "Unknown" ? "an unknown service" : incident.service}). ${state}`;
  // Unknowns are stated, never omitted (the handbook's rule for internal updates).
  const status: string[] = [
    `Impact: ${known(impact) ? impact : UNKNOWN}`,
    `Affected: ${known(incident.assessment.customersAffected) ? incident.assessment.customersAffected : UNKNOWN}`,
  ];
  const confirmed = incident.theories.filter((t) => t.state === "confirmed");
  status.push(
    confirmed.length
      ? `Root cause: ${confirmed.map((t) => t.text).join("; ")}`
      : `Root cause: ${UNKNOWN}`,
  );
  const applied = incident.changes.filter((c) => c.state === "applied");
  if (applied.length) status.push(`Changes in place: ${applied.map((c) => c.what).join("; ")}`);
  const next: string[] = [];
  for (const experiment of incident.experiments.filter((e) => e.state !== "done").slice(0, 2))
    next.push(experiment.text);
  const open = incident.theories.filter((t) => t.state === "open").slice(0, 1);
  for (const theory of open) next.push(`Test the theory: ${theory.text}`);
  if (incident.stillToRevert.length)
    next.push(`Revert ${incident.stillToRevert.length} temporary change(s) once stable`);
  if (next.length === 0) next.push("Continue investigating");
  if (next.length === 1) next.push("Keep monitoring customer impact");
  return {
    audience: "internal",
    title: updateTitle(incident),
    summary,
    currentStatus: status.slice(0, 4),
    nextSteps: next.slice(0, 4),
    nextUpdate,
    checklist: commsChecklist(incident, nextUpdate),
  };
}

/** An external update: one or two plain sentences, no internals. */
export function draftExternalUpdate(incident: IncidentDocument, nextUpdate = ""): UpdateDraft {
  const resolved = incident.status === "resolved" || incident.status === "closed";
  const products = incident.products.length ? incident.products.join(", ") : "some of our services";
  const summary = resolved
    ? `Service has been restored for ${products}. We will follow up with a postmortem.`
    : `We are investigating issues with ${products} and will provide updates here soon.`;
  return {
    audience: "external",
    title: resolved ? `Resolved: issues with ${products}` : `Investigating issues with ${products}`,
    summary,
    currentStatus: [],
    nextSteps: [],
    nextUpdate,
    checklist: commsChecklist(incident, nextUpdate),
  };
}

/** How long ago a time was, for "last update sent 12m ago". */
export function since(iso: string | undefined, now: Date): string {
  return iso ? formatDuration(now.getTime() - Date.parse(iso)) : "never";
}
