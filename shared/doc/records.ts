import * as Y from "yjs";
import type { z } from "zod";
import { DocumentRuleError } from "../errors.ts";
import { type CollectionName, collection } from "./fields.ts";
import { RECORD_SCHEMAS } from "./schema.ts";

/**
 * Low-level record storage: each record is a Y.Map of its fields inside its
 * collection's Y.Map, so concurrent edits of different fields of one record merge.
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
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) map.set(field, value);
  }
  records.set(record.id, map);
  return true;
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
    for (const [field, value] of Object.entries(patch)) {
      if (field === "id") continue;
      if (value === undefined) map.delete(field);
      else map.set(field, value);
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
  const parsed = RECORD_SCHEMAS[name].safeParse(value.toJSON());
  return parsed.success && parsed.data.id === key ? (parsed.data as Stored<C>) : undefined;
}
