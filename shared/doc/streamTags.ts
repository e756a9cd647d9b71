import type * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import { readRecord, updateRecord } from "./records.ts";
import type { TimelineEntry } from "./schema.ts";

/**
 * Which work stream a record belongs to. A record carries the id of its stream
 * (`streamId`); a timeline entry that stands for a record (an observation, a
 * change, a role assignment…) belongs to that record's stream, so tagging the
 * record moves its whole history with it. (A role assignment's entries carry their
 * stream themselves: a hand-over replaces the role's record.)
 */

/** Collections whose records may be tagged with a stream by hand. */
const STREAM_TAGGABLE = [
  "observations",
  "theories",
  "experiments",
  "changes",
  "followUps",
  "timeline",
] as const;
export type StreamTaggable = (typeof STREAM_TAGGABLE)[number];

/** Collections a timeline entry may stand for whose records decide its stream. */
const TAGGED_REFS = ["observations", "theories", "experiments", "changes"] as const;
type TaggedRef = (typeof TAGGED_REFS)[number];

/** Refuses a stream id the document does not hold (`record_not_found`, field `streamId`); no id is fine. */
export function assertStreamExists(doc: Y.Doc, streamId: string | null | undefined): void {
  if (streamId === undefined || streamId === null) return;
  if (!readRecord(doc, "streams", streamId))
    throw new DocumentRuleError(
      "record_not_found",
      `no work stream with id ${streamId}`,
      "streamId",
    );
}

/**
 * Tags a record with a stream, moves it to another, or untags it (`null`). Tagging a
 * timeline entry that stands for a record tags that record too, since the entry
 * belongs to its record's stream. Checks everything before the first write.
 */
export function setRecordStream(
  doc: Y.Doc,
  collection: StreamTaggable,
  id: string,
  streamId: string | null,
): void {
  if (!(STREAM_TAGGABLE as readonly string[]).includes(collection))
    throw new DocumentRuleError(
      "record_not_found",
      `records of ${String(collection)} are not tagged with streams`,
      "collection",
    );
  const record = readRecord(doc, collection, id);
  if (!record)
    throw new DocumentRuleError("record_not_found", `no ${collection} record with id ${id}`, "id");
  assertStreamExists(doc, streamId);
  const patch = { streamId: streamId ?? undefined };
  doc.transact(() => {
    updateRecord(doc, collection, id, patch);
    const ref = collection === "timeline" ? (record as TimelineEntry).ref : undefined;
    if (ref && isTaggedRef(ref.collection) && readRecord(doc, ref.collection, ref.id))
      updateRecord(doc, ref.collection, ref.id, patch);
  });
}

function isTaggedRef(collection: string): collection is TaggedRef {
  return (TAGGED_REFS as readonly string[]).includes(collection);
}

/** The stream of each record a timeline entry may stand for, by collection and id. */
export type RecordStreams = Record<TaggedRef, ReadonlyMap<string, string | undefined>>;

/**
 * The timeline as people read it: an entry that stands for a record still in the
 * document takes that record's stream (or none, if the record is untagged); any
 * other entry keeps its own tag. Entries whose stream does not change are returned as they are.
 */
export function withRecordStreams(
  timeline: readonly TimelineEntry[],
  records: RecordStreams,
): TimelineEntry[] {
  return timeline.map((entry) => {
    const ref = entry.ref;
    if (!ref || !isTaggedRef(ref.collection)) return entry;
    const streams = records[ref.collection];
    if (!streams.has(ref.id)) return entry;
    const streamId = streams.get(ref.id);
    if (streamId === entry.streamId) return entry;
    const { streamId: _own, ...rest } = entry;
    return streamId === undefined ? rest : { ...rest, streamId };
  });
}

/** `{id → streamId}` for records that may carry a stream, as `withRecordStreams` takes them. */
export function streamsById(
  records: readonly { id: string; streamId?: string }[],
): ReadonlyMap<string, string | undefined> {
  return new Map(records.map((r) => [r.id, r.streamId]));
}
