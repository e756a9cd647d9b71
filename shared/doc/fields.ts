import type * as Y from "yjs";

/**
 * The one list of the Y.Doc's field names. Only this file names a root type; the
 * accessors in this folder name fields inside `meta` and `incident` through
 * `FieldMap`, whose keys are these lists, so a misspelt or unlisted field does not
 * type-check. Everything outside this folder goes through the accessors.
 *
 * Layout (schema version in `meta`):
 * - `meta`       Y.Map   schemaVersion, createdAt, createdBy
 * - `incident`   Y.Map   scalar incident fields (key, summary, severity, status, service, products, times, assessment)
 * - `description`, `notes`  Y.XmlFragment  rich text, edited with TipTap
 * - one Y.Map per record collection, keyed by record id, each value a Y.Map of the record's fields
 */
const ROOT_MAPS = {
  meta: "meta",
  incident: "incident",
} as const;

export const COLLECTIONS = [
  "roles",
  "links",
  "timeline",
  "changes",
  "observations",
  "theories",
  "experiments",
  "comms",
  "followUps",
  "streams",
  "pages",
  "publications",
] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

const RICH_TEXTS = ["description", "notes"] as const;
export type RichTextName = (typeof RICH_TEXTS)[number];

/** Keys inside the `incident` map. */
const INCIDENT_FIELDS = [
  "key",
  "summary",
  "severity",
  "status",
  "service",
  "products",
  "startedAt",
  "detectedAt",
  "endedAt",
  "customersSeeing",
  "customersAffected",
  "supportCases",
  "otherFactors",
  "updatedAt",
] as const;
export type IncidentField = (typeof INCIDENT_FIELDS)[number];

/** Keys inside the `meta` map. */
const META_FIELDS = ["schemaVersion", "createdAt", "createdBy"] as const;
type MetaField = (typeof META_FIELDS)[number];

export type RecordMap = Y.Map<unknown>;

/** A root map whose keys are checked by the compiler against one of the lists above. */
export type FieldMap<K extends string> = Omit<Y.Map<unknown>, "get" | "set" | "has" | "delete"> & {
  get(key: K): unknown;
  set<V>(key: K, value: V): V;
  has(key: K): boolean;
  delete(key: K): void;
};

export function metaMap(doc: Y.Doc): FieldMap<MetaField> {
  return doc.getMap(ROOT_MAPS.meta);
}

export function incidentMap(doc: Y.Doc): FieldMap<IncidentField> {
  return doc.getMap(ROOT_MAPS.incident);
}

export function collection(doc: Y.Doc, name: CollectionName): Y.Map<RecordMap> {
  return doc.getMap<RecordMap>(name);
}

/** True when `rootName` (a root type's name, as a Yjs update spells it) is a record collection. */
export function isCollectionRoot(rootName: string): boolean {
  return (COLLECTIONS as readonly string[]).includes(rootName);
}

export function richText(doc: Y.Doc, name: RichTextName): Y.XmlFragment {
  return doc.getXmlFragment(name);
}

/** The TipTap `field` option for a rich-text field (the client binds editors by this name). */
export function richTextField(name: RichTextName): string {
  return name;
}

// biome-ignore lint/suspicious/noExplicitAny: Yjs types are generic over their event type
type AnyType = Y.AbstractType<any>;

/** The names of the root fields a transaction changed (a record edit counts for its collection). */
function changedRoots(doc: Y.Doc, transaction: Y.Transaction): Set<string> {
  const roots = new Map<AnyType, string>();
  for (const [name, type] of doc.share) roots.set(type, name);
  const changed = new Set<string>();
  for (const type of transaction.changedParentTypes.keys()) {
    let current: AnyType | null = type;
    while (current && !roots.has(current))
      current = (current._item?.parent as AnyType | undefined) ?? null;
    changed.add(current ? (roots.get(current) as string) : "?");
  }
  for (const type of transaction.changed.keys()) {
    const name = roots.get(type);
    if (name) changed.add(name);
  }
  return changed;
}

/** True when a transaction changed nothing but the free-text notes (the editor renders those itself). */
export function onlyNotesChanged(doc: Y.Doc, transaction: Y.Transaction): boolean {
  return [...changedRoots(doc, transaction)].every((name) => name === "notes");
}
