import * as Y from "yjs";
import type { z } from "zod";
import { DocumentRuleError } from "../errors.ts";
import { type CollectionName, collection, type RecordMap } from "./fields.ts";
import { RECORD_SCHEMAS } from "./schema.ts";

/**
 * Low-level record storage. Each record is a Y.Map inside its collection's Y.Map,
 * under its id. Since schema version 2 a record is written packed: the fields it is
 * created with are one plain value under `PACKED_KEY`, and every later change is a key
 * of its own beside it ("loose"), which wins over the packed value; `null` there means
 * the field was cleared. Text that may have to be erased stays loose from the start
 * (`ERASABLE_FIELDS`). So a record costs Yjs one or two items instead of one per field,
 * while concurrent edits of different fields of one record still merge: an edit writes its
 * fields as keys of their own and rewrites the packed value only to take them out of it
 * (`updateRecord`). Records written before version 2 have loose keys only and read the
 * same way.
 */

/** A record of collection `C` as its schema describes it. */
export type Stored<C extends CollectionName> = z.infer<(typeof RECORD_SCHEMAS)[C]>;

/** Writes a new record; returns false (and writes nothing) if the id is already taken. */
export function insertRecord<C extends CollectionName>(
  doc: Y.Doc,
  name: C,
  record: Stored<C>,
): boolean {
  const records = collection(doc, name);
  if (records.has(record.id)) return false;
  const map = new Y.Map<unknown>();
  const packed: Record<string, unknown> = {};
  const erasable: readonly string[] = ERASABLE_FIELDS[name] ?? [];
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    // A shared type (a list others append to) must be a key of its own to merge, and an
    // erasable field must be one for its overwritten value to leave the document.
    if (value instanceof Y.AbstractType || erasable.includes(field)) map.set(field, value);
    else packed[field] = value;
  }
  map.set(PACKED_KEY, packed);
  records.set(record.id, map);
  return true;
}

/** The key under which a packed record keeps the fields it was created with. */
export const PACKED_KEY = "_";

/**
 * Fields never packed: text that may have to leave the document for good (an entry's
 * text removed in hotdoc, or redacted at the source). Overwriting a key of its own lets
 * garbage collection drop the old value; inside the packed value it would stay.
 */
const ERASABLE_FIELDS: Partial<Record<CollectionName, readonly string[]>> = {
  timeline: ["text"],
};

function packedFields(map: RecordMap): Record<string, unknown> | undefined {
  const packed = map.get(PACKED_KEY);
  return packed !== null && typeof packed === "object" && !Array.isArray(packed)
    ? (packed as Record<string, unknown>)
    : undefined;
}

/** A record's current value of `field`, packed or loose (undefined when absent or cleared). */
export function recordField(map: RecordMap, field: string): unknown {
  const value = map.has(field) ? map.get(field) : packedFields(map)?.[field];
  return value === null ? undefined : value;
}

/** Whether a record currently holds `field`. */
export function recordHas(map: RecordMap, field: string): boolean {
  return recordField(map, field) !== undefined;
}

/**
 * A record's fields as plain data: the packed fields, overridden by loose keys, with
 * cleared (null) fields left out and shared types turned into plain data.
 */
export function recordJSON(map: RecordMap): Record<string, unknown> {
  const out: Record<string, unknown> = { ...packedFields(map) };
  map.forEach((value, key) => {
    if (key === PACKED_KEY) return;
    out[key] = value instanceof Y.AbstractType ? value.toJSON() : value;
  });
  for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
  return out;
}

/** Sets some fields of an existing record; throws record_not_found if it does not exist. */
export function updateRecord<C extends CollectionName>(
  doc: Y.Doc,
  name: C,
  id: string,
  patch: Partial<Stored<C>>,
): void {
  const map = collection(doc, name).get(id);
  if (!(map instanceof Y.Map))
    throw new DocumentRuleError("record_not_found", `no ${name} record with id ${id}`, "id");
  doc.transact(() => {
    const packed = packedFields(map);
    const unpacked: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (field === "id") continue;
      const wasPacked = packed?.[field] !== undefined;
      if (wasPacked) unpacked.push(field);
      if (value !== undefined) map.set(field, value);
      // A packed field is cleared by a null beside it; a loose one is simply deleted.
      else if (wasPacked) map.set(field, null);
      else map.delete(field);
    }
    // The packed value is written again without the fields just changed, so that their
    // old values leave the document (garbage collection drops the overwritten value):
    // an edit that takes text out of a record leaves no trace of it. Concurrent rewrites
    // only ever take fields out, and the loose keys win over any of them; only when two
    // copies each rewrite it at once may the surviving value still hold a field the other
    // took out (its reader still sees the loose key).
    if (packed && unpacked.length > 0) {
      const rest = { ...packed };
      for (const field of unpacked) delete rest[field];
      map.set(PACKED_KEY, rest);
    }
  });
}

/** Reads one record, or undefined when it is missing or does not match its schema. */
export function readRecord<C extends CollectionName>(
  doc: Y.Doc,
  name: C,
  id: string,
): Stored<C> | undefined {
  return parseRecord(name, id, collection(doc, name).get(id));
}

/**
 * Reads every valid record of a collection. Records that do not match the schema
 * (a CRDT client can write anything) are left out rather than trusted, and so is a
 * record stored under another key than its own id: every write and lookup goes by key.
 */
export function readRecords<C extends CollectionName>(doc: Y.Doc, name: C): Stored<C>[] {
  const out: Stored<C>[] = [];
  collection(doc, name).forEach((value, key) => {
    const record = parseRecord(name, key, value);
    if (record) out.push(record);
  });
  return out;
}

export function removeRecord(doc: Y.Doc, name: CollectionName, id: string): boolean {
  const records = collection(doc, name);
  if (!records.has(id)) return false;
  records.delete(id);
  return true;
}

function parseRecord<C extends CollectionName>(
  name: C,
  key: string,
  value: unknown,
): Stored<C> | undefined {
  if (!(value instanceof Y.Map)) return undefined;
  const parsed = RECORD_SCHEMAS[name].safeParse(recordJSON(value));
  return parsed.success && parsed.data.id === key ? (parsed.data as Stored<C>) : undefined;
}
