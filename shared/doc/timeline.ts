import * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import { collection, type RecordMap } from "./fields.ts";
import { newId, toInstant } from "./ids.ts";
import { compareText, inTimeOrder } from "./order.ts";
import {
  insertRecord,
  readRecord,
  readRecords,
  recordField,
  recordHas,
  updateRecord,
} from "./records.ts";
import {
  type Actor,
  ActorSchema,
  type TimelineCorrection,
  TimelineCorrectionInput,
  type TimelineEntry,
  TimelineEntryInput,
  type TimelineRemoval,
  TimelineRemovalInput,
} from "./schema.ts";
import { assertStreamExists } from "./streamTags.ts";

export interface AppendResult {
  id: string;
  /** False when an entry with this id already existed (the write was a duplicate and changed nothing). */
  created: boolean;
}

/**
 * Adds a timeline entry. `at` is when it happened (a chat message's own
 * timestamp), not when it arrived. An explicit `id` makes the write idempotent:
 * the same id twice gives one entry.
 */
export function appendTimelineEntry(
  doc: Y.Doc,
  input: TimelineEntryInput,
  now: Date = new Date(),
): AppendResult {
  const entry = TimelineEntryInput.parse(input);
  assertStreamExists(doc, entry.streamId);
  const id = entry.id ?? newId();
  let created = false;
  doc.transact(() => {
    created = insertRecord(doc, "timeline", {
      id,
      at: toInstant(entry.at ?? now),
      author: entry.author,
      source: entry.source ?? "editor",
      kind: entry.kind,
      text: entry.text,
      pinned: entry.pinned,
      ref: entry.ref,
      external: entry.external,
      streamId: entry.streamId,
    });
  });
  return { id, created };
}

/**
 * Follows an edit made at the source (e.g. Slack `message_changed`). An entry whose
 * text was removed in hotdoc keeps it removed: an edit at the source may only blank
 * it further (a redaction), never bring text back.
 */
export function editTimelineEntry(
  doc: Y.Doc,
  id: string,
  text: string,
  editedAt: Date | string = new Date(),
): void {
  if (text !== "" && readTimelineEntry(doc, id)?.removal) return;
  updateRecord(doc, "timeline", id, { text, editedAt: toInstant(editedAt) });
}

/** Follows a deletion made at the source; the entry stays, marked deleted, so the record keeps its history. */
export function markTimelineEntryDeleted(
  doc: Y.Doc,
  id: string,
  at: Date | string = new Date(),
): void {
  updateRecord(doc, "timeline", id, { deleted: true, editedAt: toInstant(at) });
}

/** Marks or unmarks a key event. */
export function setTimelineEntryPinned(doc: Y.Doc, id: string, pinned: boolean): void {
  updateRecord(doc, "timeline", id, { pinned });
}

/**
 * The entry's record map and its parsed state; record_not_found when it is missing or
 * unreadable. A removed entry is not corrected any more, with one exception, for a
 * removal only: one whose stored text a concurrent edit brought back (`textCameBack`)
 * may be removed again.
 */
function entryToCorrect(
  doc: Y.Doc,
  id: string,
  allow: "live" | "live or text came back" = "live",
): { map: RecordMap; entry: TimelineEntry } {
  const map = collection(doc, "timeline").get(id);
  const entry = readTimelineEntry(doc, id);
  if (!(map instanceof Y.Map) || !entry)
    throw new DocumentRuleError("record_not_found", `no timeline entry with id ${id}`, "id");
  if (entry.removal && !(allow === "live or text came back" && textCameBack(map)))
    throw new DocumentRuleError(
      "invalid_transition",
      "This entry was removed: its text is gone and it cannot be corrected any more.",
    );
  return { map, entry };
}

/**
 * Whether a record marked removed holds text again. Removal blanks `text`, but an edit
 * made concurrently (by someone offline who had not yet seen the removal) also writes
 * `text`, and when the two meet either write may win. Readers show a removed entry
 * blank regardless (the record schema); this looks at what is stored.
 */
function textCameBack(map: RecordMap): boolean {
  const text = recordField(map, "text");
  return typeof text === "string" && text !== "";
}

/**
 * Appends to the entry's correction history. The list is a Y.Array inside the record,
 * so corrections two people make at once both stay (only two *first* corrections made
 * at the same instant race to create the list, and one list wins).
 */
function appendCorrections(map: RecordMap, corrections: TimelineCorrection[]): void {
  let list = map.get("corrections");
  if (!(list instanceof Y.Array)) {
    list = new Y.Array<TimelineCorrection>();
    map.set("corrections", list);
  }
  (list as Y.Array<TimelineCorrection>).push(corrections);
}

/**
 * A person's correction of an entry from the page: its text, its time (re-timing) and
 * whether it is a key event. Only what differs from the entry is written, each as one
 * correction naming who and when (the old time for a re-timing, never the old text).
 * Works on entries mirrored from chat too: the correction is hotdoc's, the chat message
 * is not touched. Returns the corrections written (none when nothing changed). Bad
 * input throws before anything is written; a removed entry is not corrected.
 */
export function correctTimelineEntry(
  doc: Y.Doc,
  id: string,
  input: TimelineCorrectionInput,
  actor: Actor,
  now: Date = new Date(),
): TimelineCorrection[] {
  const change = TimelineCorrectionInput.parse(input);
  const by = ActorSchema.parse(actor).name;
  const { map, entry } = entryToCorrect(doc, id);
  const at = toInstant(now);
  const patch: Partial<TimelineEntry> = {};
  const corrections: TimelineCorrection[] = [];
  if (change.text !== undefined && change.text !== entry.text) {
    patch.text = change.text;
    patch.editedAt = at;
    corrections.push({ by, at, action: "edited" });
  }
  if (change.at !== undefined && toInstant(change.at) !== entry.at) {
    patch.at = toInstant(change.at);
    corrections.push({ by, at, action: "retimed", from: entry.at });
  }
  if (change.pinned !== undefined && change.pinned !== entry.pinned) {
    patch.pinned = change.pinned;
    corrections.push({ by, at, action: change.pinned ? "key" : "unkey" });
  }
  if (corrections.length === 0) return [];
  doc.transact(() => {
    updateRecord(doc, "timeline", id, patch);
    appendCorrections(map, corrections);
  });
  return corrections;
}

/**
 * Removes an entry's text from the page, for a reason (a pasted secret, a message in
 * the wrong incident). The text is overwritten in the document, so a document with
 * garbage collection (the server's, every browser's) no longer holds it; the entry
 * stays, marked deleted, with who removed it, when and why. For older states of the
 * document (time travel) see `applyTimelineRemovals`.
 */
export function removeTimelineEntry(
  doc: Y.Doc,
  id: string,
  input: TimelineRemovalInput,
  actor: Actor,
  now: Date = new Date(),
): void {
  const { reason } = TimelineRemovalInput.parse(input);
  const by = ActorSchema.parse(actor).name;
  const { map, entry } = entryToCorrect(doc, id, "live or text came back");
  const at = toInstant(now);
  // Removed once already (its text came back through a concurrent edit): the first
  // removal keeps saying who removed it and why; this one is a correction like any other.
  const removal: TimelineRemoval = entry.removal ?? { by, at, reason };
  doc.transact(() => {
    updateRecord(doc, "timeline", id, { text: "", deleted: true, editedAt: at, removal });
    appendCorrections(map, [{ by, at, action: "deleted", reason }]);
  });
}

/**
 * Keeps the text of removed entries out of a document others write to (the server's
 * copy of each incident): whenever a transaction leaves a removed entry holding text
 * again — an edit made offline before the removal was seen, merged after it — the text
 * is blanked once more in a transaction of `origin`, which reaches every peer and the
 * store like any other write. Entries already in that state when watching starts are
 * blanked at once. Only records a transaction touched are looked at. Returns a
 * function that stops watching.
 */
export function keepRemovedTextBlank(doc: Y.Doc, origin: unknown): () => void {
  const records = collection(doc, "timeline");
  const blank = (ids: Iterable<string>) => {
    const returned: RecordMap[] = [];
    for (const id of ids) {
      const map = records.get(id);
      // The cheap checks first; only a record that holds text and a removal is parsed.
      if (!(map instanceof Y.Map) || !recordHas(map, "removal") || !textCameBack(map)) continue;
      if (readTimelineEntry(doc, id)?.removal) returned.push(map);
    }
    if (returned.length === 0) return;
    // Made from an observer, this runs as its own transaction right after the one observed.
    doc.transact(() => {
      for (const map of returned) map.set("text", "");
    }, origin);
  };
  blank(timelineRemovals(doc).keys());
  const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    const touched = new Set<string>();
    for (const event of events) {
      if (event.target === records) {
        for (const id of (event as Y.YMapEvent<RecordMap>).keysChanged) touched.add(id);
      } else {
        const id = event.path[0];
        if (typeof id === "string") touched.add(id);
      }
    }
    blank(touched);
  };
  records.observeDeep(handler);
  return () => records.unobserveDeep(handler);
}

/** The entries whose text was removed in hotdoc, by id, with who removed each and why. */
export function timelineRemovals(doc: Y.Doc): Map<string, TimelineRemoval> {
  const removals = new Map<string, TimelineRemoval>();
  collection(doc, "timeline").forEach((map, id) => {
    // Only entries that carry a removal are parsed: the rest cost one lookup each.
    if (!(map instanceof Y.Map) || !recordHas(map, "removal")) return;
    const removal = readTimelineEntry(doc, id)?.removal;
    if (removal) removals.set(id, removal);
  });
  return removals;
}

/**
 * Applies today's removals to an older state of the document (time travel rebuilds it
 * from the update log, where the text still is): each removed entry's text is blanked
 * and it says who removed it and why, so text taken out of the incident never comes
 * back through history or an export at an earlier instant.
 */
export function applyTimelineRemovals(doc: Y.Doc, removals: Map<string, TimelineRemoval>): void {
  if (removals.size === 0) return;
  const records = collection(doc, "timeline");
  doc.transact(() => {
    for (const [id, removal] of removals) {
      const map = records.get(id);
      if (!(map instanceof Y.Map)) continue;
      map.set("text", "");
      map.set("deleted", true);
      map.set("removal", removal);
    }
  });
}

export function readTimelineEntry(doc: Y.Doc, id: string): TimelineEntry | undefined {
  return readRecord(doc, "timeline", id);
}

/**
 * The timeline in time order. Entries at the same instant (an IM assignment and the
 * status move it causes) are ordered by their text, then id, so every reader — and
 * every rebuild of the same content — sees one order.
 */
export function readTimeline(doc: Y.Doc): TimelineEntry[] {
  return readRecords(doc, "timeline").sort(compareEntries);
}

const compareEntries = inTimeOrder<TimelineEntry>((a, b) => compareText(a.text, b.text));

/**
 * Calls `listener` with the entries added to the timeline by each transaction
 * (not those already there when it started observing, nor edits). With `kinds`, only
 * entries of those kinds are read and passed: the others are skipped by their stored
 * kind before any validation, which a server does for every chat message and edit.
 */
export function onTimelineAdded(
  doc: Y.Doc,
  listener: (entries: TimelineEntry[], origin: unknown) => void,
  kinds?: ReadonlySet<TimelineEntry["kind"]>,
): () => void {
  const records = collection(doc, "timeline");
  const handler = (event: Y.YMapEvent<RecordMap>) => {
    const added: TimelineEntry[] = [];
    event.changes.keys.forEach((change, id) => {
      if (change.action !== "add") return;
      if (kinds) {
        const map = records.get(id);
        const kind = map instanceof Y.Map ? recordField(map, "kind") : undefined;
        if (!kinds.has(kind as TimelineEntry["kind"])) return;
      }
      const entry = readTimelineEntry(doc, id);
      if (entry) added.push(entry);
    });
    if (added.length > 0) listener(added.sort(compareEntries), event.transaction.origin);
  };
  records.observe(handler);
  return () => records.unobserve(handler);
}
