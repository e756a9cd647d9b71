import type * as Y from "yjs";
import {
  CHAT_SOURCES,
  durations,
  formatDuration,
  type IncidentDocument,
  type RichNode,
  ROLE_LABELS,
  readIncident,
  readRichTextTree,
  SEVERITY_INFO,
  type Severity,
  type Source,
  type Status,
  type StreamState,
  streamRoleLabel,
} from "#shared/doc/index.ts";
import { commandEchoes } from "./commandEchoes.ts";
import { formatInstant } from "./instants.ts";
import {
  commsOf,
  type FirstUpdate,
  type PostmortemComms,
  type PostmortemPage,
  pagesOf,
} from "./postmortemComms.ts";

/** Bumped whenever the JSON shape below changes incompatibly. */
const POSTMORTEM_VERSION = 1;

const UNKNOWN = "Unknown";

interface Duration {
  ms: number | null;
  /** "1h 05m", or "unknown" when a time is missing. */
  text: string;
}

interface PostmortemEntry {
  at: string;
  author: string;
  source: Source;
  /** chat (mirrored from a room), manual (written in hotdoc or through the API) or system (recorded by hotdoc). */
  origin: "chat" | "manual" | "system";
  kind: string;
  text: string;
  keyEvent: boolean;
  edited: boolean;
  deleted: boolean;
  /** The work stream the entry belongs to, by name; absent for none. */
  stream?: string;
  /** Removed in hotdoc: who removed the text, when and why (the text itself is gone). */
  removed?: { by: string; at: string; reason: string };
  /** Corrections made in hotdoc, oldest first (`from`: the time before a re-timing); absent when none. */
  corrections?: { by: string; at: string; action: string; from?: string }[];
}

/** A record tagged with a work stream, as the stream's section lists it. */
interface StreamItem {
  at: string;
  /** observation, theory, experiment, change, follow-up, or the timeline entry's kind. */
  kind: string;
  text: string;
}

interface PostmortemStream {
  name: string;
  /** The tech lead, or "" for a stream nobody led. */
  lead: string;
  state: StreamState;
  startedAt: string | null;
  endedAt: string | null;
  /** Its records and the timeline entries tagged on their own (chat, notes, decisions), in time order. */
  tagged: StreamItem[];
}

/** One part of the summary the author writes first, with what the document already says about it. */
interface SummaryPart {
  title: string;
  /** Facts from the document, one sentence each (times in UTC); unknowns are said to be unknown. */
  known: string[];
  /** What the author is asked to write there. */
  hint: string;
}

export interface Postmortem {
  version: typeof POSTMORTEM_VERSION;
  key: string;
  title: string;
  /** The instant the document was rebuilt at (time travel), or null for its latest state. */
  asOf: string | null;
  /** What happened, impact, root cause and resolution: for the author to write, from the facts. */
  summary: SummaryPart[];
  status: Status;
  severity: { level: Severity; label: string; meaning: string };
  impact: {
    description: string;
    customersSeeing: string;
    customersAffected: string;
    supportCases: string;
    otherFactors: string;
  };
  faultyService: string;
  products: string[];
  roles: { role: string; holder: string; since: string }[];
  /** Role assignments and hand-overs as they happened. */
  roleHistory: { at: string; text: string }[];
  /** Streams of work, each with its tech lead, oldest first; done ones included. */
  streams: PostmortemStream[];
  times: {
    startOfImpact: string | null;
    detection: string | null;
    endOfImpact: string | null;
    ttd: Duration;
    ttr: Duration;
  };
  links: { kind: string; label: string; url: string }[];
  keyEvents: PostmortemEntry[];
  timeline: PostmortemEntry[];
  changes: {
    at: string;
    author: string;
    what: string;
    how: string;
    why: string;
    revertSteps: string;
    state: string;
    stream?: string;
  }[];
  /** Changes applied and never reverted or superseded: to check before closing. */
  warnings: string[];
  tried: {
    theories: {
      text: string;
      state: string;
      author: string;
      at: string;
      supportedBy: string[];
      experiments: { text: string; state: string; outcome: string }[];
      stream?: string;
    }[];
    /** Confirmed theories. */
    rootCauseCandidates: string[];
    /** Experiments that tested no recorded theory. */
    otherExperiments: { text: string; state: string; outcome: string }[];
    observations: {
      text: string;
      confirmed: boolean;
      author: string;
      at: string;
      stream?: string;
    }[];
  };
  /**
   * Updates that went out (drafts never), in time order per audience (internal first):
   * where each went, the gap since the previous one and whether it came later than promised.
   */
  comms: PostmortemComms[];
  /** How long after the start of impact (or the declaration) each audience heard first. */
  firstUpdates: FirstUpdate[];
  /** Pages sent about the incident, oldest first, with what became of each. */
  pages: PostmortemPage[];
  followUps: {
    text: string;
    owner: string;
    kind: string;
    done: boolean;
    url: string | null;
    stream?: string;
  }[];
  notes: RichNode[];
  /** Sections only people can write, left empty with a hint. */
  prompts: { title: string; hint: string }[];
}

const PROMPTS: Postmortem["prompts"] = [
  {
    title: "Root cause: five whys",
    hint: "Start from the impact and ask why until you reach a cause you can act on.",
  },
  { title: "What went well", hint: "Detection, response, tools and people that helped." },
  {
    title: "What could be improved",
    hint: "Each improvement should end up as a follow-up with an owner.",
  },
];

function known(value: string): string {
  return value.trim() ? value : UNKNOWN;
}

function duration(ms: number | null): Duration {
  return { ms, text: formatDuration(ms) };
}

/**
 * The postmortem draft, from the document alone: a pure function (no I/O, no clock),
 * so the same document always gives the same postmortem.
 */
export function buildPostmortem(doc: Y.Doc, options: { asOf?: string } = {}): Postmortem {
  return fromIncident(readIncident(doc), readRichTextTree(doc, "notes"), options.asOf ?? null);
}

function fromIncident(
  incident: IncidentDocument,
  notes: RichNode[],
  asOf: string | null,
): Postmortem {
  const { ttdMs, ttrMs } = durations(incident.times);
  const streamNames = new Map(incident.streams.map((s) => [s.id, s.name]));
  // Spread into a record: an untagged one gets no `stream` key at all.
  const stream = (streamId: string | undefined) => {
    const name = streamId === undefined ? undefined : streamNames.get(streamId);
    return name === undefined ? {} : { stream: name };
  };
  // Built key by key rather than with spreads: it runs once per timeline entry, and
  // the optional keys must keep this order (the JSON export lists them so).
  const entry = (e: IncidentDocument["timeline"][number]): PostmortemEntry => {
    const out: PostmortemEntry = {
      at: e.at,
      author: e.author,
      source: e.source,
      origin: (CHAT_SOURCES as readonly string[]).includes(e.source)
        ? "chat"
        : e.source === "system"
          ? "system"
          : "manual",
      kind: e.kind,
      // A removed entry's text is already blank in the document; never trust that alone.
      text: e.removal ? "" : e.text,
      keyEvent: e.pinned && !e.removal,
      edited: Boolean(e.editedAt),
      deleted: Boolean(e.deleted),
    };
    const streamName = e.streamId === undefined ? undefined : streamNames.get(e.streamId);
    if (streamName !== undefined) out.stream = streamName;
    if (e.removal) out.removed = { ...e.removal };
    if (e.corrections?.length)
      out.corrections = e.corrections.map(({ by, at, action, from }) => ({
        by,
        at,
        action,
        ...(from ? { from } : {}),
      }));
    return out;
  };
  const echoes = commandEchoes(incident.timeline);
  const timeline = incident.timeline.filter((e) => !echoes.has(e.id)).map(entry);
  const experimentsOf = (theoryId: string | undefined) =>
    incident.experiments
      .filter((x) => x.theoryId === theoryId)
      .map((x) => ({ text: x.text, state: x.state, outcome: x.outcome }));
  const observationText = new Map(incident.observations.map((o) => [o.id, o.text]));
  const theoryIds = new Set(incident.theories.map((t) => t.id));
  const pending = new Set(incident.stillToRevert);
  const { comms, firstUpdates } = commsOf(incident);
  return {
    version: POSTMORTEM_VERSION,
    key: incident.key,
    title: `${incident.key} - ${incident.summary}`,
    asOf,
    summary: summaryOf(incident, ttdMs, ttrMs),
    status: incident.status,
    severity: {
      level: incident.severity,
      label: SEVERITY_INFO[incident.severity].label,
      meaning: SEVERITY_INFO[incident.severity].meaning,
    },
    impact: {
      description: known(incident.description),
      customersSeeing: known(incident.assessment.customersSeeing),
      customersAffected: known(incident.assessment.customersAffected),
      supportCases: known(incident.assessment.supportCases),
      otherFactors: known(incident.assessment.otherFactors),
    },
    faultyService: incident.service,
    products: incident.products,
    roles: incident.roles.map((r) => {
      const streamName = r.streamId === undefined ? undefined : streamNames.get(r.streamId);
      return {
        role:
          r.role === "tech_lead" && streamName !== undefined
            ? streamRoleLabel(streamName)
            : (r.label ?? ROLE_LABELS[r.role]),
        holder: r.holder,
        since: r.since,
      };
    }),
    roleHistory: incident.timeline
      .filter((e) => e.kind === "role")
      .map((e) => ({ at: e.at, text: e.text })),
    streams: streamsOf(incident, echoes),
    times: {
      startOfImpact: incident.times.startedAt,
      detection: incident.times.detectedAt,
      endOfImpact: incident.times.endedAt,
      ttd: duration(ttdMs),
      ttr: duration(ttrMs),
    },
    links: incident.links.map((l) => ({ kind: l.kind, label: l.label || l.url, url: l.url })),
    keyEvents: timeline.filter((e) => e.keyEvent),
    timeline,
    changes: incident.changes.map((c) => ({
      at: c.at,
      author: c.author,
      what: c.what,
      how: c.how,
      why: c.why,
      revertSteps: c.revertSteps,
      state: c.state,
      ...stream(c.streamId),
    })),
    warnings: incident.changes
      .filter((c) => pending.has(c.id))
      .map(
        (c) =>
          `Still applied, never reverted or superseded: ${c.what}${c.revertSteps ? ` (revert: ${c.revertSteps})` : " (no revert steps recorded)"}`,
      ),
    tried: {
      theories: incident.theories.map((t) => ({
        text: t.text,
        state: t.state,
        author: t.author,
        at: t.at,
        supportedBy: t.observationIds.map(
          (id) => observationText.get(id) ?? "(observation removed)",
        ),
        experiments: experimentsOf(t.id),
        ...stream(t.streamId),
      })),
      rootCauseCandidates: incident.theories
        .filter((t) => t.state === "confirmed")
        .map((t) => t.text),
      otherExperiments: incident.experiments
        .filter((x) => !x.theoryId || !theoryIds.has(x.theoryId))
        .map((x) => ({ text: x.text, state: x.state, outcome: x.outcome })),
      observations: incident.observations.map((o) => ({
        text: o.text,
        confirmed: o.confirmed,
        author: o.author,
        at: o.at,
        ...stream(o.streamId),
      })),
    },
    comms,
    firstUpdates,
    pages: pagesOf(incident),
    followUps: incident.followUps.map((f) => ({
      text: f.text,
      owner: f.owner,
      kind: f.kind,
      done: f.done,
      url: f.url ?? null,
      ...stream(f.streamId),
    })),
    notes,
    prompts: PROMPTS,
  };
}

/**
 * Each stream with what was tagged with it: its records, then the timeline entries
 * tagged on their own (a chat message, a note, a decision, the stream's own events).
 * Entries that stand for a record are left out, the record already says it.
 */
function streamsOf(incident: IncidentDocument, echoes: ReadonlySet<string>): PostmortemStream[] {
  return incident.streams.map((s) => {
    const mine = <T extends { streamId?: string }>(records: readonly T[]) =>
      records.filter((r) => r.streamId === s.id);
    const tagged: StreamItem[] = [
      ...mine(incident.observations).map((o) => ({
        at: o.at,
        kind: "observation",
        text: `${o.text}${o.confirmed ? "" : " (unconfirmed)"}`,
      })),
      ...mine(incident.theories).map((t) => ({
        at: t.at,
        kind: `theory (${t.state})`,
        text: t.text,
      })),
      ...mine(incident.experiments).map((x) => ({
        at: x.at,
        kind: `experiment (${x.state})`,
        text: `${x.text}${x.outcome ? ` — outcome: ${x.outcome}` : ""}`,
      })),
      ...mine(incident.changes).map((c) => ({
        at: c.at,
        kind: `change (${c.state})`,
        text: c.what,
      })),
      ...mine(incident.followUps).map((f) => ({
        at: f.at,
        kind: f.done ? "follow-up (done)" : "follow-up",
        text: `${f.text} — ${f.owner || "no owner yet"}`,
      })),
      ...mine(incident.timeline)
        .filter((e) => !echoes.has(e.id))
        .filter((e) => !e.ref || e.ref.collection === "roles" || e.ref.collection === "comms")
        .map((e) => ({ at: e.at, kind: e.kind, text: e.text })),
    ];
    tagged.sort((a, b) =>
      a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.text < b.text ? -1 : a.text > b.text ? 1 : 0,
    );
    return {
      name: s.name,
      lead: s.techLead,
      state: s.state,
      startedAt: s.at ?? null,
      endedAt: s.endedAt ?? null,
      tagged,
    };
  });
}

/**
 * The summary the postmortem opens with, in the parts a postmortem's reader looks for
 * first (the handbook's recap of impact and duration; root cause, what really happened).
 * Each part says what the document already knows and asks the author for the rest.
 */
function summaryOf(
  incident: IncidentDocument,
  ttdMs: number | null,
  ttrMs: number | null,
): SummaryPart[] {
  const { startedAt, detectedAt, endedAt } = incident.times;
  const unknownIfBlank = (value: string) => (value.trim() ? value.trim() : "unknown");
  const stillApplied = incident.changes.filter((c) => incident.stillToRevert.includes(c.id));
  const confirmed = incident.theories.filter((t) => t.state === "confirmed");
  const openFollowUps = incident.followUps.filter((f) => !f.done).length;
  return [
    {
      title: "What happened",
      known: [
        `Declared as: ${incident.summary} (severity ${incident.severity}, ${SEVERITY_INFO[incident.severity].label}).`,
        startedAt && ttdMs !== null
          ? `Impact started ${formatInstant(startedAt)} and was detected ${formatInstant(detectedAt)}, ${formatDuration(ttdMs)} later.`
          : `Detected ${formatInstant(detectedAt)}; the start of impact is not recorded, so the time to detect is unknown.`,
      ],
      hint: "In two or three sentences a reader outside the team can follow: what broke, for whom, and how it was noticed.",
    },
    {
      title: "Impact",
      known: [
        sentence(`Impact on customers: ${unknownIfBlank(incident.description)}`),
        sentence(`Customers affected: ${unknownIfBlank(incident.assessment.customersAffected)}`),
        sentence(`Support cases: ${unknownIfBlank(incident.assessment.supportCases)}`),
        ttrMs !== null
          ? `Impact lasted ${formatDuration(ttrMs)} (time to recover, TTR), until ${formatInstant(endedAt)}.`
          : "How long the impact lasted is unknown: its start or its end is not recorded.",
      ],
      hint: "Who was affected, how badly and for how long, in numbers where there are any.",
    },
    {
      title: "Root cause",
      known: confirmed.length
        ? confirmed.map((t) => sentence(`Confirmed during the incident: ${t.text}`))
        : ["No theory was confirmed during the incident: the root cause is unknown so far."],
      hint: "The cause you can act on, and why it was possible; the five whys below lead to it.",
    },
    {
      title: "Resolution",
      known: [
        endedAt
          ? `Impact ended ${formatInstant(endedAt)}; status ${incident.status}.`
          : `End of impact not recorded; status ${incident.status}.`,
        stillApplied.length
          ? sentence(
              `${stillApplied.length} ${stillApplied.length === 1 ? "change is" : "changes are"} still applied (see Changes): ${stillApplied.map((c) => c.what).join("; ")}`,
            )
          : "No change is left applied: each was reverted or superseded, or none was recorded.",
        `${incident.followUps.length} follow-up${incident.followUps.length === 1 ? "" : "s"}, ${openFollowUps} still open.`,
      ],
      hint: "What ended the impact, and what is left to clean up or revert.",
    },
  ];
}

/** Text a person wrote, ended as a sentence unless it already ends like one. */
function sentence(text: string): string {
  return /[.!?…:;]$/u.test(text.trimEnd()) ? text.trimEnd() : `${text.trimEnd()}.`;
}
