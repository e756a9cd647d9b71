import type * as Y from "yjs";
import { collection, type RecordMap } from "./fields.ts";
import { newId, toInstant } from "./ids.ts";
import { compareText, inTimeOrder } from "./order.ts";
import { insertRecord, readRecord, readRecords, updateRecord } from "./records.ts";
import { type TimelineEntry, TimelineEntryInput } from "./schema.ts";
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

/** Follows an edit made at the source (e.g. Slack `message_changed`). */
export function editTimelineEntry(
  doc: Y.Doc,
  id: string,
  text: string,
  editedAt: Date | string = new Date(),
): void {
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
 * (not those already there when it started observing, nor edits).
 */
export function onTimelineAdded(
  doc: Y.Doc,
  listener: (entries: TimelineEntry[]) => void,
): () => void {
  const records = collection(doc, "timeline");
  const handler = (event: Y.YMapEvent<RecordMap>) => {
    const added: TimelineEntry[] = [];
    event.changes.keys.forEach((change, id) => {
      if (change.action !== "add") return;
      const entry = readTimelineEntry(doc, id);
      if (entry) added.push(entry);
    });
    if (added.length > 0) listener(added.sort(compareEntries));
  };
  records.observe(handler);
  return () => records.unobserve(handler);
}
