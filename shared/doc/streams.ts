import type * as Y from "yjs";
import { z } from "zod";
import { DocumentRuleError } from "../errors.ts";
import { newId, toInstant } from "./ids.ts";
import { insertRecord, readRecord, readRecords, removeRecord, updateRecord } from "./records.ts";
import {
  type Actor,
  ActorSchema,
  IdSchema,
  type RoleAssignment,
  StreamInput,
  StreamNameSchema,
  type TimelineEntry,
  type WorkStream,
} from "./schema.ts";
import { appendTimelineEntry } from "./timeline.ts";
import { ROLE_LABELS, STREAM_STATES, type StreamState } from "./vocabulary.ts";

/**
 * Streams of work (the handbook: "multiple tech leads if more than one stream of
 * work is underway"). A stream has a name, a tech lead and a state; its lead also
 * holds a `tech_lead` role tagged with the stream, so the roles say who leads
 * what. A stream that has ended is marked done and stays in the record. The stream
 * is the truth about its lead: the role is read from it (see `readRoles`).
 */

const LeadSchema = z.string().trim().max(200);

const LEAD_ROLE_PREFIX = "tl:";

/**
 * The role record of a stream's tech lead. One fixed id per stream, as for the
 * incident manager: two concurrent lead changes still leave one lead.
 */
export function streamLeadRoleId(streamId: string): string {
  return `${LEAD_ROLE_PREFIX}${streamId}`;
}

/** The stream whose lead's role record this is, if it is one. */
function leadRoleStream(roleId: string): string | undefined {
  return roleId.startsWith(LEAD_ROLE_PREFIX) ? roleId.slice(LEAD_ROLE_PREFIX.length) : undefined;
}

/**
 * The role assignments as they stand. A stream's lead is written twice, on the stream
 * and as its role record, and concurrent edits (a hand-over while someone else marks
 * the stream done, a reopening while the lead changes…) can leave the two apart, so
 * the stream decides: a lead's role counts only while its stream exists, is active and
 * names that holder as its lead, and an active stream whose lead has no such role gets
 * one, held since the lead took over (a stream stored before streams had times, with
 * neither time, gets none).
 */
export function readRoles(doc: Y.Doc): RoleAssignment[] {
  const streams = new Map(readStreams(doc).map((s) => [s.id, s]));
  const leads = (stream: WorkStream | undefined): stream is WorkStream =>
    stream !== undefined && stream.state === "active" && stream.techLead !== "";
  const roles: RoleAssignment[] = [];
  const held = new Set<string>();
  for (const role of readRecords(doc, "roles")) {
    const streamId = leadRoleStream(role.id);
    if (streamId === undefined) {
      roles.push(role);
      continue;
    }
    const stream = streams.get(streamId);
    if (
      leads(stream) &&
      role.role === "tech_lead" &&
      role.streamId === streamId &&
      role.holder === stream.techLead
    ) {
      roles.push(role);
      held.add(streamId);
    }
  }
  for (const stream of streams.values()) {
    const since = stream.leadSince ?? stream.at;
    if (!leads(stream) || held.has(stream.id) || !since) continue;
    roles.push({
      id: streamLeadRoleId(stream.id),
      role: "tech_lead",
      holder: stream.techLead,
      since,
      streamId: stream.id,
    });
  }
  return roles;
}

/**
 * Whether a timeline entry is about the incident as a whole rather than one stream's
 * work, so a page narrowed to a stream still shows it: a status or severity change, a
 * role change other than a stream's lead, a key event. Only an untagged entry is; one
 * tagged with a stream not in `streams` (when given) counts as untagged.
 */
export function concernsWholeIncident(
  entry: TimelineEntry,
  streams?: { has(id: string): boolean },
): boolean {
  if (entry.streamId !== undefined && (!streams || streams.has(entry.streamId))) return false;
  switch (entry.kind) {
    case "status":
    case "severity":
      return true;
    case "role":
      return !(entry.ref?.collection === "roles" && leadRoleStream(entry.ref.id) !== undefined);
    default:
      return entry.pinned;
  }
}

/** How the lead's role reads wherever roles are listed: "Tech lead · Database failover". */
export function streamRoleLabel(streamName: string): string {
  return `${ROLE_LABELS.tech_lead} · ${streamName}`;
}

/** The streams, oldest first. */
export function readStreams(doc: Y.Doc): WorkStream[] {
  return sortStreams(readRecords(doc, "streams"));
}

function sortStreams(streams: readonly WorkStream[]): WorkStream[] {
  const key = (s: WorkStream) => s.at ?? "";
  return [...streams].sort((a, b) =>
    key(a) !== key(b)
      ? key(a) < key(b)
        ? -1
        : 1
      : a.name !== b.name
        ? a.name.localeCompare(b.name)
        : a.id < b.id
          ? -1
          : 1,
  );
}

/**
 * Starts a stream with its tech lead, in one transaction: the stream, the lead's
 * role and one timeline entry. A name another stream already has is refused
 * (`name_taken`), so a stream can be named in chat without doubt.
 */
export function addStream(
  doc: Y.Doc,
  input: StreamInput,
  actor: Actor,
  now: Date = new Date(),
): string {
  const stream = StreamInput.parse(input);
  const who = ActorSchema.parse(actor);
  assertNameFree(doc, stream.name);
  const id = newId();
  const at = toInstant(stream.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "streams", {
      id,
      name: stream.name,
      techLead: stream.techLead,
      state: "active",
      at,
      author: who.name,
      leadSince: stream.techLead ? toInstant(now) : undefined,
    });
    if (stream.techLead) insertLeadRole(doc, id, stream.techLead, now);
    appendTimelineEntry(
      doc,
      {
        author: who.name,
        source: who.source,
        kind: stream.techLead ? "role" : "note",
        at,
        text: stream.techLead
          ? `${stream.techLead} is ${streamRoleLabel(stream.name)} (new work stream)`
          : `New work stream: ${stream.name} (no tech lead yet)`,
        ref: stream.techLead ? { collection: "roles", id: streamLeadRoleId(id) } : undefined,
        streamId: id,
      },
      now,
    );
  });
  return id;
}

/** Renames a stream; what is tagged with it follows, since records carry its id. */
export function renameStream(
  doc: Y.Doc,
  id: string,
  name: string,
  actor: Actor,
  now: Date = new Date(),
): void {
  const stream = requireStream(doc, id);
  const next = StreamNameSchema.parse(name);
  const who = ActorSchema.parse(actor);
  if (next === stream.name) return;
  assertNameFree(doc, next, id);
  doc.transact(() => {
    updateRecord(doc, "streams", id, { name: next });
    appendTimelineEntry(
      doc,
      {
        author: who.name,
        source: who.source,
        kind: "note",
        text: `Work stream ${stream.name} renamed to ${next}`,
        streamId: id,
      },
      now,
    );
  });
}

/**
 * Gives a stream a new tech lead (a hand-over, on the timeline), or none (`""`).
 * The lead of a stream that is done is recorded but holds no role until it reopens.
 */
export function setStreamLead(
  doc: Y.Doc,
  id: string,
  lead: string,
  actor: Actor,
  now: Date = new Date(),
): void {
  const stream = requireStream(doc, id);
  const next = LeadSchema.parse(lead);
  const who = ActorSchema.parse(actor);
  if (next === stream.techLead) return;
  const label = streamRoleLabel(stream.name);
  const previous = stream.techLead;
  doc.transact(() => {
    updateRecord(doc, "streams", id, {
      techLead: next,
      leadSince: next ? toInstant(now) : undefined,
    });
    removeRecord(doc, "roles", streamLeadRoleId(id));
    if (next && stream.state === "active") insertLeadRole(doc, id, next, now);
    appendTimelineEntry(
      doc,
      {
        author: who.name,
        source: who.source,
        kind: "role",
        text: !next
          ? `${previous} is no longer ${label}`
          : previous
            ? `${next} took over as ${label} from ${previous}`
            : `${next} is ${label}`,
        ref:
          next && stream.state === "active"
            ? { collection: "roles", id: streamLeadRoleId(id) }
            : undefined,
        streamId: id,
      },
      now,
    );
  });
}

/**
 * Marks a stream done (its work has ended; its lead's role ends with it) or active
 * again (the role comes back). Either way the stream and all it tagged stay.
 */
export function setStreamState(
  doc: Y.Doc,
  id: string,
  state: StreamState,
  actor: Actor,
  now: Date = new Date(),
): void {
  const stream = requireStream(doc, id);
  const next = z.enum(STREAM_STATES).parse(state);
  const who = ActorSchema.parse(actor);
  if (next === stream.state) return;
  doc.transact(() => {
    if (next === "done") {
      updateRecord(doc, "streams", id, { state: next, endedAt: toInstant(now) });
      removeRecord(doc, "roles", streamLeadRoleId(id));
    } else {
      updateRecord(doc, "streams", id, { state: next, endedAt: undefined });
      if (stream.techLead) insertLeadRole(doc, id, stream.techLead, now);
    }
    appendTimelineEntry(
      doc,
      {
        author: who.name,
        source: who.source,
        kind: "note",
        text:
          next === "done"
            ? `Work stream done: ${stream.name}${stream.techLead ? ` (led by ${stream.techLead})` : ""}`
            : `Work stream reopened: ${stream.name}${stream.techLead ? `, ${stream.techLead} is ${streamRoleLabel(stream.name)} again` : ""}`,
        streamId: id,
      },
      now,
    );
  });
}

/**
 * The stream a person means by `ref`, as typed in chat: its id, its name (case and
 * surrounding spaces aside), or the start of exactly one name, streams in the
 * `prefer`red state first (done ones for a reopening). Anything else is
 * `record_not_found`, naming the streams there are. Two streams of the same name
 * (two people started them at once) are not told apart by name either.
 */
export function findStream(doc: Y.Doc, ref: string, prefer: StreamState = "active"): WorkStream {
  const streams = readStreams(doc);
  const wanted = comparable(ref);
  const byId = IdSchema.safeParse(ref.trim()).success
    ? streams.find((s) => s.id === ref.trim())
    : undefined;
  if (byId) return byId;
  const exact = streams.filter((s) => comparable(s.name) === wanted);
  const starts = wanted ? streams.filter((s) => comparable(s.name).startsWith(wanted)) : [];
  const preferred = starts.filter((s) => s.state === prefer);
  const pick = exact.length > 0 ? exact : preferred.length > 0 ? preferred : starts;
  if (pick.length === 1) return pick[0];
  const known = streams.map((s) => s.name).join(", ");
  throw new DocumentRuleError(
    "record_not_found",
    pick.length > 1
      ? `"${ref.trim()}" could be ${pick.map((s) => s.name).join(" or ")}: ${exact.length > 1 ? "they have one name, so rename one on the incident page" : "say more of the name"}`
      : streams.length === 0
        ? `there is no work stream "${ref.trim()}" (none started yet)`
        : `there is no work stream "${ref.trim()}" (streams: ${known})`,
    "streamId",
  );
}

function requireStream(doc: Y.Doc, id: string): WorkStream {
  const stream = readRecord(doc, "streams", id);
  if (!stream)
    throw new DocumentRuleError("record_not_found", `no work stream with id ${id}`, "id");
  return stream;
}

/** Names compare without case and with runs of spaces as one, as people type them. */
function comparable(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

function assertNameFree(doc: Y.Doc, name: string, except?: string): void {
  const wanted = comparable(name);
  const taken = readRecords(doc, "streams").find(
    (s) => s.id !== except && comparable(s.name) === wanted,
  );
  if (taken)
    throw new DocumentRuleError(
      "name_taken",
      `there is already a work stream named ${taken.name}`,
      "name",
    );
}

function insertLeadRole(doc: Y.Doc, streamId: string, holder: string, now: Date): void {
  const id = streamLeadRoleId(streamId);
  removeRecord(doc, "roles", id);
  insertRecord(doc, "roles", {
    id,
    role: "tech_lead",
    holder,
    since: toInstant(now),
    streamId,
  });
}
