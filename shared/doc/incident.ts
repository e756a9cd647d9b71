import type * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import { type IncidentField, incidentMap, metaMap } from "./fields.ts";
import { newId, toInstant } from "./ids.ts";
import { SCHEMA_VERSION } from "./migrations.ts";
import { insertRecord, readRecord, readRecords, removeRecord } from "./records.ts";
import { setRichTextPlain } from "./richText.ts";
import {
  type Actor,
  ActorSchema,
  IncidentCreateInput,
  IncidentFieldsInput,
  IncidentKeySchema,
  LinkInput,
  type RoleAssignment,
  RoleInput,
  SeveritySchema,
  StatusSchema,
} from "./schema.ts";
import { readRoles, setStreamLead, streamLeadRoleId } from "./streams.ts";
import { assertStreamExists } from "./streamTags.ts";
import { appendTimelineEntry } from "./timeline.ts";
import {
  ROLE_LABELS,
  SEVERITY_INFO,
  type Severity,
  SINGLE_HOLDER_ROLES,
  STATUS_TRANSITIONS,
  type Status,
  UNKNOWN_SERVICE,
} from "./vocabulary.ts";

/** Fixed record ids for single-holder roles: one key means a concurrent reassignment still leaves exactly one holder. */
function roleRecordId(role: RoleAssignment["role"]): string | undefined {
  return SINGLE_HOLDER_ROLES.includes(role) ? role : undefined;
}

export interface InitIncidentOptions extends IncidentCreateInput {
  key: string;
  actor: Actor;
  now?: Date;
}

/** Fills a fresh Y.Doc with a new incident; records the declaration on the timeline. */
export function initIncident(doc: Y.Doc, options: InitIncidentOptions): void {
  const key = IncidentKeySchema.parse(options.key);
  const input = IncidentCreateInput.parse({
    summary: options.summary,
    severity: options.severity,
    description: options.description,
    service: options.service,
    products: options.products,
    startedAt: options.startedAt,
    detectedAt: options.detectedAt,
  });
  const actor = ActorSchema.parse(options.actor);
  const now = options.now ?? new Date();
  const created = toInstant(now);
  doc.transact(() => {
    const meta = metaMap(doc);
    meta.set("schemaVersion", SCHEMA_VERSION);
    meta.set("createdAt", created);
    meta.set("createdBy", actor.name);
    const fields = incidentMap(doc);
    const set = (field: IncidentField, value: unknown) => fields.set(field, value);
    set("key", key);
    set("summary", input.summary);
    set("severity", input.severity);
    set("status", "new");
    set("service", input.service || UNKNOWN_SERVICE);
    set("products", input.products ?? []);
    set("startedAt", input.startedAt ? toInstant(input.startedAt) : null);
    set("detectedAt", toInstant(input.detectedAt ?? now));
    set("endedAt", null);
    set("customersSeeing", "");
    set("customersAffected", "");
    set("supportCases", "");
    set("otherFactors", "");
    set("updatedAt", created);
    setRichTextPlain(doc, "description", input.description ?? "");
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "status",
        pinned: true,
        text: `Incident declared: ${input.summary} (severity ${input.severity}, ${SEVERITY_INFO[input.severity].label})`,
      },
      now,
    );
  });
}

/**
 * Applies a partial update of the incident fields. Severity and status go through
 * their own rules (and land on the timeline); everything else is set as given.
 */
export function setIncidentFields(
  doc: Y.Doc,
  patch: IncidentFieldsInput & { status?: Status },
  actor: Actor,
  now: Date = new Date(),
): void {
  const { status, ...rest } = patch;
  const fields = IncidentFieldsInput.parse(rest);
  const parsedStatus = status === undefined ? undefined : StatusSchema.parse(status);
  // Check every rule before the first write: a refused patch must change nothing.
  if (parsedStatus !== undefined) assertStatusTransition(doc, parsedStatus);
  doc.transact(() => {
    const map = incidentMap(doc);
    // The patch's keys are incident fields, and `description`, which is rich text.
    for (const [field, value] of Object.entries(fields) as [
      IncidentField | "description",
      unknown,
    ][]) {
      if (value === undefined) continue;
      if (field === "severity") setSeverity(doc, value as Severity, actor, now);
      else if (field === "description") setRichTextPlain(doc, "description", value as string);
      else if (field === "startedAt" || field === "detectedAt" || field === "endedAt")
        map.set(field, value === null ? null : toInstant(value as string));
      else map.set(field, value);
    }
    if (parsedStatus !== undefined) setStatus(doc, parsedStatus, actor, now);
    map.set("updatedAt", toInstant(now));
  });
}

/** Changes the severity and records the change as a key event. */
export function setSeverity(
  doc: Y.Doc,
  severity: Severity,
  actor: Actor,
  now: Date = new Date(),
): void {
  const next = SeveritySchema.parse(severity);
  const map = incidentMap(doc);
  const previous = map.get("severity") as Severity | undefined;
  if (previous === next) return;
  doc.transact(() => {
    map.set("severity", next);
    map.set("updatedAt", toInstant(now));
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "severity",
        pinned: true,
        text:
          previous === undefined
            ? `Severity set to ${next} (${SEVERITY_INFO[next].label})`
            : `Severity changed from ${previous} (${SEVERITY_INFO[previous].label}) to ${next} (${SEVERITY_INFO[next].label})`,
      },
      now,
    );
  });
}

/**
 * Moves the status along the handbook's workflow. Moving to `fixing` needs an
 * incident manager. Resolving keeps the end of impact someone gave, and only when
 * there is none (a chat `resolve`, an API call without a time) stamps it now: to
 * resolve with a typed end, set `endedAt` and the status in one `setIncidentFields`
 * patch, which writes the fields before it moves the status.
 */
export function setStatus(doc: Y.Doc, status: Status, actor: Actor, now: Date = new Date()): void {
  const next = StatusSchema.parse(status);
  const map = incidentMap(doc);
  const previous = (map.get("status") as Status | undefined) ?? "new";
  if (previous === next) return;
  assertStatusTransition(doc, next);
  doc.transact(() => {
    map.set("status", next);
    if (next === "resolved" && !map.get("endedAt")) map.set("endedAt", toInstant(now));
    // Back to fixing means the impact is not over: the end recorded at resolution no longer holds.
    if (previous === "resolved" && next === "fixing") map.set("endedAt", null);
    map.set("updatedAt", toInstant(now));
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "status",
        pinned: true,
        text: `Status changed from ${previous} to ${next}`,
      },
      now,
    );
  });
}

/** Throws the rule error a move to `next` would raise, before anything is written. */
function assertStatusTransition(doc: Y.Doc, next: Status): void {
  const previous = (incidentMap(doc).get("status") as Status | undefined) ?? "new";
  if (previous === next) return;
  if (!STATUS_TRANSITIONS[previous].includes(next)) {
    throw new DocumentRuleError(
      "invalid_transition",
      `status cannot move from ${previous} to ${next} (allowed: ${STATUS_TRANSITIONS[previous].join(", ")})`,
      "status",
    );
  }
  if (next === "fixing" && !currentHolder(doc, "incident_manager")) {
    throw new DocumentRuleError(
      "im_required",
      "assign an incident manager before moving to fixing",
      "status",
    );
  }
}

/**
 * Assigns a role. The incident manager and backup IM have exactly one holder:
 * assigning one replaces the previous holder (a hand-over, recorded on the
 * timeline). A tech lead tagged with a work stream becomes that stream's lead (one
 * per stream).
 *
 * Assigning the IM never moves the status: the handbook has the IM take the incident and
 * then progress it to fixing, two acts, and a status that changes as a side effect of
 * another action is one nobody decided. Moving to fixing stays an explicit step (the
 * page's status control, `status fixing` in chat), which still needs an IM.
 */
export function assignRole(
  doc: Y.Doc,
  input: RoleInput,
  actor: Actor,
  now: Date = new Date(),
): string {
  const role = RoleInput.parse(input);
  assertStreamExists(doc, role.streamId);
  if (role.role === "tech_lead" && role.streamId) {
    setStreamLead(doc, role.streamId, role.holder, actor, now);
    return streamLeadRoleId(role.streamId);
  }
  const fixedId = roleRecordId(role.role);
  const id = fixedId ?? newId();
  const previous = fixedId
    ? currentHolder(doc, fixedId as "incident_manager" | "backup_im")
    : undefined;
  if (previous === role.holder) return id;
  const label = role.role === "custom" ? (role.label as string) : ROLE_LABELS[role.role];
  doc.transact(() => {
    removeRecord(doc, "roles", id);
    insertRecord(doc, "roles", {
      id,
      role: role.role,
      label: role.label,
      holder: role.holder,
      since: toInstant(now),
      streamId: role.streamId,
    });
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "role",
        pinned: role.role === "incident_manager",
        text: previous
          ? `${role.holder} took over as ${label} from ${previous}`
          : `${role.holder} is ${label}`,
        ref: { collection: "roles", id },
        streamId: role.streamId,
      },
      now,
    );
  });
  return id;
}

/** Ends a role assignment (not the incident manager's: hand that over instead). */
export function unassignRole(doc: Y.Doc, id: string, actor: Actor, now: Date = new Date()): void {
  const role = readRoles(doc).find((r) => r.id === id);
  if (!role)
    throw new DocumentRuleError("record_not_found", `no role assignment with id ${id}`, "id");
  if (role.role === "incident_manager") {
    throw new DocumentRuleError(
      "im_required",
      "the incident manager can be handed over but not removed",
      "role",
    );
  }
  // A stream's lead is the stream's: removing the role leaves the stream without a lead.
  if (
    role.streamId &&
    id === streamLeadRoleId(role.streamId) &&
    readRecord(doc, "streams", role.streamId)
  ) {
    setStreamLead(doc, role.streamId, "", actor, now);
    return;
  }
  doc.transact(() => {
    removeRecord(doc, "roles", id);
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "role",
        pinned: false,
        text: `${role.holder} is no longer ${role.label ?? ROLE_LABELS[role.role]}`,
      },
      now,
    );
  });
}

/** Who holds a single-holder role right now, if anyone. */
export function currentHolder(
  doc: Y.Doc,
  role: "incident_manager" | "backup_im",
): string | undefined {
  return readRecords(doc, "roles").find((r) => r.id === role && r.role === role)?.holder;
}

/** Adds a link (chat room, video call, tracker, dashboard…). */
export function addLink(doc: Y.Doc, input: LinkInput, now: Date = new Date()): string {
  const link = LinkInput.parse(input);
  const id = newId();
  doc.transact(() => {
    insertRecord(doc, "links", { id, ...link });
    incidentMap(doc).set("updatedAt", toInstant(now));
  });
  return id;
}
