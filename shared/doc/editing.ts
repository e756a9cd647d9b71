import type * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import type { CollectionName } from "./fields.ts";
import { readRecord, removeRecord, type Stored, updateRecord } from "./records.ts";
import { RECORD_SCHEMAS } from "./schema.ts";
import { assertStreamExists } from "./streamTags.ts";

/**
 * Collections whose records people edit in place (the timeline is append-only apart
 * from edits that follow the chat; roles and streams change through their own rules).
 */
export type EditableCollection = Exclude<CollectionName, "timeline" | "roles" | "streams">;
export type RecordPatch<C extends EditableCollection> = Partial<Omit<Stored<C>, "id">>;

/**
 * Edits fields of one record. The record as it would be after the edit is
 * validated against its schema first; an invalid edit throws and writes nothing.
 * Fields set to undefined are removed (only optional fields may be).
 */
export function editRecord<C extends EditableCollection>(
  doc: Y.Doc,
  name: C,
  id: string,
  patch: RecordPatch<C>,
): void {
  const current = readRecord(doc, name, id);
  if (!current)
    throw new DocumentRuleError("record_not_found", `no ${name} record with id ${id}`, "id");
  const next = { ...current, ...patch, id } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) if (value === undefined) delete next[field];
  RECORD_SCHEMAS[name].parse(next);
  const streamId = (patch as { streamId?: unknown }).streamId;
  if (typeof streamId === "string") assertStreamExists(doc, streamId);
  updateRecord(doc, name, id, patch as never);
}

/**
 * Removes a record that carries no history of its own (a link, a follow-up entered by
 * mistake). A work stream is never removed: records are tagged with it, and one that
 * has ended is marked done instead.
 */
export function deleteRecord(doc: Y.Doc, name: "links" | "followUps", id: string): void {
  if (!removeRecord(doc, name, id))
    throw new DocumentRuleError("record_not_found", `no ${name} record with id ${id}`, "id");
}
