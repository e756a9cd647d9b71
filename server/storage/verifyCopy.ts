import type pg from "pg";
import * as Y from "yjs";
import { readIncident } from "#shared/doc/index.ts";
import { COPIED_TABLES, type CopyResult, normalise, RowDigest } from "./copyStore.ts";
import type { UpdateLogStore } from "./stores.ts";

/**
 * Checking a copy made by copyStore.ts, two ways: every table's rows (count and digest,
 * read back from PostgreSQL in key order), and every document as each store's own code
 * loads it (the merged state decoded into a Y.Doc on each side and compared).
 */

const FETCH_ROWS = 1000;
const PROGRESS_EVERY_MS = 1000;

interface TableCheck {
  table: string;
  sqlite: number;
  postgres: number;
  /** Same count and same digest. */
  same: boolean;
}

export interface CopyCheck {
  tables: TableCheck[];
  documents: number;
  /** What differs, one line each; empty when the copy is faithful. */
  mismatches: string[];
}

export async function verifyCopy(options: {
  copied: CopyResult;
  /** A connection to the target schema (search_path set). */
  target: pg.ClientBase;
  sourceLog: UpdateLogStore;
  targetLog: UpdateLogStore;
  progress: (line: string) => void;
}): Promise<CopyCheck> {
  const { copied, target, progress } = options;
  const check: CopyCheck = { tables: [], documents: 0, mismatches: [] };
  const read = await digestTarget(target);
  for (const source of copied.tables) {
    const found = read.get(source.table) ?? { rows: 0, digest: "" };
    const same = found.rows === source.rows && found.digest === source.digest;
    check.tables.push({ table: source.table, sqlite: source.rows, postgres: found.rows, same });
    if (!same)
      check.mismatches.push(
        `table ${source.table}: ${source.rows} rows in SQLite, ${found.rows} in PostgreSQL${found.rows === source.rows ? ", with different contents" : ""}`,
      );
  }
  progress("tables checked; comparing documents");
  const [inSource, inTarget] = await Promise.all([
    options.sourceLog.listDocuments(),
    options.targetLog.listDocuments(),
  ]);
  const targetSet = new Set(inTarget);
  const sourceSet = new Set(inSource);
  for (const doc of inSource)
    if (!targetSet.has(doc)) check.mismatches.push(`document ${doc}: missing in PostgreSQL`);
  for (const doc of inTarget)
    if (!sourceSet.has(doc)) check.mismatches.push(`document ${doc}: only in PostgreSQL`);
  let lastReport = performance.now();
  for (const doc of inSource) {
    if (!targetSet.has(doc)) continue;
    const differences = await compareDocument(doc, options.sourceLog, options.targetLog);
    check.mismatches.push(...differences.map((what) => `document ${doc}: ${what}`));
    check.documents++;
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = performance.now();
      progress(`documents: ${check.documents} of ${inSource.length} compared`);
    }
  }
  progress(`documents: ${check.documents} compared`);
  return check;
}

/** Every copied table of the target, read in key order in one snapshot: row count and digest. */
async function digestTarget(
  target: pg.ClientBase,
): Promise<Map<string, { rows: number; digest: string }>> {
  const found = new Map<string, { rows: number; digest: string }>();
  await target.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const spec of COPIED_TABLES) {
      const kinds = new Map(spec.columns);
      // "C" compares bytes, as SQLite's default collation does: both sides read one order.
      const order = spec.key
        .map((column) => (kinds.get(column) === "text" ? `${column} COLLATE "C"` : column))
        .join(", ");
      const columns = spec.columns.map(([name]) => name).join(", ");
      await target.query(
        `DECLARE copied NO SCROLL CURSOR FOR SELECT ${columns} FROM ${spec.name} ORDER BY ${order}`,
      );
      const digest = new RowDigest();
      for (;;) {
        const { rows } = await target.query<Record<string, unknown>>(
          `FETCH ${FETCH_ROWS} FROM copied`,
        );
        for (const row of rows)
          digest.add(
            spec.columns.map(([name, kind]) => normalise(kind, row[name], `${spec.name}.${name}`)),
          );
        if (rows.length < FETCH_ROWS) break;
      }
      await target.query("CLOSE copied");
      found.set(spec.name, { rows: digest.rows, digest: digest.digest() });
    }
  } finally {
    await target.query("COMMIT").catch(() => undefined);
  }
  return found;
}

/** What differs between the document as each store loads it (nothing: an empty list). */
async function compareDocument(
  doc: string,
  source: UpdateLogStore,
  target: UpdateLogStore,
): Promise<string[]> {
  const differences: string[] = [];
  // A state that cannot be loaded or decoded on one side is a difference, not a crash.
  const load = async (store: UpdateLogStore, side: string) => {
    try {
      const state = await store.loadState(doc);
      return { decoded: state && decode(state), start: await store.historyStart(doc) };
    } catch (error) {
      differences.push(`cannot be loaded from ${side}: ${(error as Error).message}`);
      return null;
    }
  };
  const [a, b] = await Promise.all([load(source, "SQLite"), load(target, "PostgreSQL")]);
  if (!a || !b) return differences;
  if (a.start !== b.start)
    differences.push(`history starts at ${a.start} in SQLite, ${b.start} in PostgreSQL`);
  if (!a.decoded || !b.decoded) {
    if (a.decoded !== b.decoded)
      differences.push(`no state in ${a.decoded ? "PostgreSQL" : "SQLite"}`);
    return differences;
  }
  const left = a.decoded;
  const right = b.decoded;
  if (left.incident !== right.incident) differences.push("the incident reads differently");
  if (left.json !== right.json) differences.push("the document's JSON differs");
  if (!Buffer.from(left.stateVector).equals(Buffer.from(right.stateVector)))
    differences.push("the state vectors differ");
  if (!Y.equalSnapshots(left.snapshot, right.snapshot))
    differences.push("the documents hold different insertions or deletions");
  return differences;
}

/** A stored state as a Y.Doc sees it: read as an incident, as raw JSON, and its snapshot. */
function decode(state: Uint8Array) {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    let incident: string;
    try {
      incident = JSON.stringify(readIncident(doc));
    } catch (error) {
      incident = `unreadable: ${(error as Error).message}`;
    }
    // After readIncident, every top-level type it knows is typed, so toJSON shows it.
    return {
      incident,
      json: JSON.stringify(doc.toJSON()),
      stateVector: Y.encodeStateVector(doc),
      snapshot: Y.snapshot(doc),
    };
  } finally {
    doc.destroy();
  }
}
