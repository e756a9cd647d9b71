import type * as Y from "yjs";
import { type IncidentField, incidentMap, metaMap } from "./fields.ts";
import { currentHolder } from "./incident.ts";
import { stillToRevert } from "./investigation.ts";
import { byAt, compareText } from "./order.ts";
import { readRecords } from "./records.ts";
import { readRichTextPlain } from "./richText.ts";
import type {
  ChangeEntry,
  CommsUpdate,
  Experiment,
  FollowUp,
  IncidentLink,
  Observation,
  PageRecord,
  PublicationRecord,
  RoleAssignment,
  Theory,
  TimelineEntry,
  WorkStream,
} from "./schema.ts";
import { readRoles, readStreams } from "./streams.ts";
import { streamsById, withRecordStreams } from "./streamTags.ts";
import { readTimeline } from "./timeline.ts";
import { durations } from "./times.ts";
import { SEVERITIES, type Severity, STATUSES, type Status, UNKNOWN_SERVICE } from "./vocabulary.ts";

/** The whole incident document as plain, schema-shaped JSON. */
export interface IncidentDocument {
  schemaVersion: number;
  key: string;
  summary: string;
  description: string;
  severity: Severity;
  status: Status;
  service: string;
  products: string[];
  times: {
    startedAt: string | null;
    detectedAt: string | null;
    endedAt: string | null;
    ttdMs: number | null;
    ttrMs: number | null;
  };
  assessment: {
    customersSeeing: string;
    customersAffected: string;
    supportCases: string;
    otherFactors: string;
  };
  incidentManager: string | null;
  roles: RoleAssignment[];
  links: IncidentLink[];
  /** In time order; an entry that stands for a record carries that record's `streamId`. */
  timeline: TimelineEntry[];
  changes: ChangeEntry[];
  stillToRevert: string[];
  observations: Observation[];
  theories: Theory[];
  experiments: Experiment[];
  comms: CommsUpdate[];
  followUps: FollowUp[];
  /** Oldest first, done ones included. */
  streams: WorkStream[];
  /** Pages sent about the incident, oldest first. */
  pages: PageRecord[];
  /** Comms updates published (or failed to), oldest first. */
  publications: PublicationRecord[];
  notes: string;
  createdAt: string | null;
  updatedAt: string | null;
}

/** What the incident list shows for one incident. */
export interface IncidentSummary {
  key: string;
  summary: string;
  severity: Severity;
  status: Status;
  service: string;
  incidentManager: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** The header of the incident: its scalar fields, meta and the incident manager. */
export type IncidentHead = Pick<
  IncidentDocument,
  | "schemaVersion"
  | "key"
  | "summary"
  | "severity"
  | "status"
  | "service"
  | "products"
  | "times"
  | "assessment"
  | "incidentManager"
  | "createdAt"
  | "updatedAt"
>;

export function readIncident(doc: Y.Doc): IncidentDocument {
  const head = readIncidentHead(doc);
  const changes = readRecords(doc, "changes").sort(byAt);
  const observations = readRecords(doc, "observations").sort(byAt);
  const theories = readRecords(doc, "theories").sort(byAt);
  const experiments = readRecords(doc, "experiments").sort(byAt);
  const timeline = withRecordStreams(readTimeline(doc), {
    observations: streamsById(observations),
    theories: streamsById(theories),
    experiments: streamsById(experiments),
    changes: streamsById(changes),
  });
  return {
    schemaVersion: head.schemaVersion,
    key: head.key,
    summary: head.summary,
    description: readRichTextPlain(doc, "description"),
    severity: head.severity,
    status: head.status,
    service: head.service,
    products: head.products,
    times: head.times,
    assessment: head.assessment,
    incidentManager: head.incidentManager,
    roles: readRoles(doc).sort((a, b) => compareText(a.since, b.since)),
    links: readRecords(doc, "links"),
    timeline,
    changes,
    stillToRevert: stillToRevert(changes).map((c) => c.id),
    observations,
    theories,
    experiments,
    comms: readRecords(doc, "comms").sort(byAt),
    followUps: readRecords(doc, "followUps").sort(byAt),
    streams: readStreams(doc),
    pages: readRecords(doc, "pages").sort(byAt),
    publications: readRecords(doc, "publications").sort(byAt),
    notes: readRichTextPlain(doc, "notes"),
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
  };
}

/**
 * The header's fields alone, without the collections or rich text: what `readIncident`
 * and the client's incremental reader both need when only the header changed.
 */
export function readIncidentHead(doc: Y.Doc): IncidentHead {
  const summary = readIncidentSummary(doc);
  const fields = incidentMap(doc);
  const time = (field: "startedAt" | "detectedAt" | "endedAt") => {
    const value = fields.get(field);
    return typeof value === "string" ? value : null;
  };
  const times = {
    startedAt: time("startedAt"),
    detectedAt: time("detectedAt"),
    endedAt: time("endedAt"),
  };
  const { ttdMs, ttrMs } = durations(times);
  const str = (field: IncidentField) => {
    const value = fields.get(field);
    return typeof value === "string" ? value : "";
  };
  const products = fields.get("products");
  return {
    schemaVersion: Number(metaMap(doc).get("schemaVersion") ?? 0),
    key: summary.key,
    summary: summary.summary,
    severity: summary.severity,
    status: summary.status,
    service: summary.service,
    products: Array.isArray(products)
      ? products.filter((p): p is string => typeof p === "string")
      : [],
    times: { ...times, ttdMs, ttrMs },
    assessment: {
      customersSeeing: str("customersSeeing"),
      customersAffected: str("customersAffected"),
      supportCases: str("supportCases"),
      otherFactors: str("otherFactors"),
    },
    incidentManager: summary.incidentManager,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  };
}

/** The few fields the incident list needs, without walking the timeline. */
export function readIncidentSummary(doc: Y.Doc): IncidentSummary {
  const fields = incidentMap(doc);
  const severity = fields.get("severity");
  const status = fields.get("status");
  const str = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    key: str(fields.get("key")) ?? "",
    summary: str(fields.get("summary")) ?? "",
    severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 3,
    status: STATUSES.includes(status as Status) ? (status as Status) : "new",
    service: str(fields.get("service")) || UNKNOWN_SERVICE,
    incidentManager: currentHolder(doc, "incident_manager") ?? null,
    createdAt: str(metaMap(doc).get("createdAt")),
    updatedAt: str(fields.get("updatedAt")),
  };
}

/** True when the document has been initialised as an incident. */
export function isIncident(doc: Y.Doc): boolean {
  return typeof incidentMap(doc).get("key") === "string";
}
