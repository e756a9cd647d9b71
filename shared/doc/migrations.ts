import type * as Y from "yjs";
import { type IncidentField, incidentMap, metaMap } from "./fields.ts";
import { UNKNOWN_SERVICE } from "./vocabulary.ts";

/** The document schema version this code writes. Bump it with a migration below. */
export const SCHEMA_VERSION = 2;

/**
 * One step per version: MIGRATIONS[n] takes a version n−1 document to version n.
 * Steps only add or rename; they never drop data a newer client may still read.
 */
const MIGRATIONS: Record<number, (doc: Y.Doc) => void> = {
  // v0 is a document that no hotdoc server initialised (e.g. filled by a bare Yjs client
  // before it was declared): give it the defaults every reader relies on.
  1: (doc) => {
    const fields = incidentMap(doc);
    const defaults: Partial<Record<IncidentField, unknown>> = {
      status: "new",
      service: UNKNOWN_SERVICE,
      products: [],
      startedAt: null,
      detectedAt: null,
      endedAt: null,
      customersSeeing: "",
      customersAffected: "",
      supportCases: "",
      otherFactors: "",
    };
    for (const [field, value] of Object.entries(defaults) as [IncidentField, unknown][]) {
      if (!fields.has(field)) fields.set(field, value);
    }
  },
  // v2 writes new records packed (records.ts). Readers read both shapes, so the records
  // already there stay as they are: rewriting them would drop any edit that a tab
  // offline across the upgrade still holds for them (it would land in a deleted map).
  // The step only raises the version, which tells a page loaded from an older hotdoc to
  // reload before it shows an incident with records it cannot read.
  2: () => {},
};

export function schemaVersion(doc: Y.Doc): number {
  const version = metaMap(doc).get("schemaVersion");
  return typeof version === "number" ? version : 0;
}

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings a document up to SCHEMA_VERSION in one transaction. A document written
 * by a newer server is left alone (and reported), never downgraded.
 */
export function migrate(doc: Y.Doc): MigrationResult {
  const from = schemaVersion(doc);
  if (from >= SCHEMA_VERSION) return { from, to: from };
  doc.transact(() => {
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) MIGRATIONS[version]?.(doc);
    metaMap(doc).set("schemaVersion", SCHEMA_VERSION);
  });
  return { from, to: SCHEMA_VERSION };
}
