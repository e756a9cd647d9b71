import { createHash, type Hash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import type pg from "pg";

/**
 * Copying a SQLite store (sqlite/) into an empty PostgreSQL schema (postgres/) row by
 * row, keeping every id and time, so the copy is the same store and not a replay of it:
 * update ids stay the sequence numbers that checkpoints refer to, incident keys and
 * counters continue, minted links and sessions stay what they were. verifyCopy.ts checks
 * the result.
 */

/** How a column travels: SQLite's value is normalised to this before it is sent and hashed. */
type Kind = "text" | "int8" | "bytea" | "bool";

export interface TableSpec {
  name: string;
  columns: readonly (readonly [string, Kind])[];
  /** The primary key: rows are read in this order on both sides, so their digests compare. */
  key: readonly string[];
}

/** A table as "column:kind" words; the key as column names. */
function table(name: string, key: string, columns: string): TableSpec {
  return {
    name,
    key: key.split(" "),
    columns: columns.split(" ").map((word) => word.split(":") as [string, Kind]),
  };
}

/**
 * Every table both stores have, in copy order. Not copied: SQLite's checkpoint_parts
 * (folded into their checkpoints: PostgreSQL keeps a checkpoint in one row),
 * checkpoint_writers (leases of processes that are stopped) and schema_version (each
 * store's own).
 */
export const COPIED_TABLES: readonly TableSpec[] = [
  table("updates", "id", "id:int8 doc:text at:int8 origin:text data:bytea"),
  table("checkpoints", "doc seq", "doc:text seq:int8 at:int8 data:bytea"),
  table("history", "doc", "doc:text start_at:int8"),
  table("counters", "name", "name:text value:int8"),
  table("incidents", "key", "key:text created_at:int8 summary:text"),
  table(
    "access_tokens",
    "id",
    "id:text role:text name:text scope:text created_at:int8 expires_at:int8 created_by:text revoked_at:int8 shared:bool parent:text",
  ),
  table(
    "sessions",
    "id",
    "id:text secret_hash:text subject:text name:text email:text role:text scope:text token_id:text via:text csrf:text created_at:int8 expires_at:int8 revoked_at:int8",
  ),
  table("people", "subject", "subject:text name:text email:text updated_at:int8"),
  table(
    "channel_links",
    "platform channel",
    "platform:text channel:text incident:text webhook_url:text created_at:int8 created_by:text",
  ),
  table("chat_rooms", "platform channel", "platform:text channel:text name:text named_at:int8"),
  table(
    "chat_transactions",
    "platform txn_id",
    "platform:text txn_id:text digest:text applied_at:int8",
  ),
  table("chat_deliveries", "key", "key:text holder:text claimed_at:int8 done_at:int8"),
  table("settings", "name", "name:text value:text"),
];

/** One statement carries at most this much (a larger single row goes alone). */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Progress is printed at most this often within a table (and when it is done). */
const PROGRESS_EVERY_MS = 1000;

type Value = string | number | boolean | Buffer | null;

interface TableCopy {
  table: string;
  rows: number;
  /** SHA-256 over the rows in key order (see RowDigest). */
  digest: string;
}

export interface CopyResult {
  tables: TableCopy[];
  /** Checkpoints that SQLite kept in parts, copied as one row each. */
  reassembledCheckpoints: number;
  /** Where PostgreSQL's update ids continue (the sequence's next value). */
  nextUpdateId: number;
}

/** The target already holds rows: nothing was copied. */
export class TargetNotEmptyError extends Error {
  readonly tables: { table: string; rows: number }[];
  constructor(tables: { table: string; rows: number }[]) {
    super(
      `the target schema already holds data (${tables.map((x) => `${x.table}: ${x.rows} rows`).join(", ")}); copy into an empty schema: give another --schema, or drop this one if nothing in it is needed`,
    );
    this.name = "TargetNotEmptyError";
    this.tables = tables;
  }
}

/**
 * A digest of a table's rows, fed in key order with values normalised to their Kind, so
 * that the same rows read from SQLite and from PostgreSQL give the same digest.
 */
export class RowDigest {
  private readonly hash: Hash = createHash("sha256");
  rows = 0;

  add(values: readonly Value[]): void {
    this.rows++;
    for (const value of values) {
      if (value === null) this.hash.update("N");
      else if (typeof value === "boolean") this.hash.update(value ? "Y" : "F");
      else if (typeof value === "number") this.hash.update(`I${value};`);
      else {
        const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
        this.hash.update(`${typeof value === "string" ? "T" : "B"}${bytes.byteLength}:`);
        this.hash.update(bytes);
      }
    }
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

/** A value read from either database, as the Kind says it should be. */
export function normalise(kind: Kind, value: unknown, where: string): Value {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "text":
      if (typeof value === "string") return value;
      break;
    case "int8":
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      if (typeof value === "bigint" && Number.isSafeInteger(Number(value))) return Number(value);
      break;
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === 0 || value === 1) return value === 1;
      break;
    case "bytea":
      if (value instanceof Uint8Array)
        return Buffer.isBuffer(value)
          ? value
          : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      break;
  }
  throw new Error(`${where} holds ${typeof value} ${String(value).slice(0, 40)}, not ${kind}`);
}

/**
 * Whether another connection has the SQLite database open (a running hotdoc holds its
 * connection for its whole life): an exclusive lock is then refused at once.
 */
export function sqliteInUse(file: string): boolean {
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
    return false;
  } catch (error) {
    if (/locked|busy/i.test((error as Error).message)) return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Copies every row of `source` (a SQLite store at the latest schema version) into the
 * stores' tables on `target` (a dedicated connection whose search_path is the target
 * schema, migrated to the latest version). One transaction: the tables are locked
 * against writers, checked empty (else TargetNotEmptyError), filled in bounded
 * statements, and the update id sequence is moved past every id the SQLite store handed
 * out; a failure anywhere leaves the target as it was, so the copy can simply be run
 * again. The SQLite side is read in one snapshot.
 */
export async function copySqliteToPostgres(
  source: DatabaseSync,
  target: pg.ClientBase,
  progress: (line: string) => void,
): Promise<CopyResult> {
  const result: CopyResult = { tables: [], reassembledCheckpoints: 0, nextUpdateId: 1 };
  await target.query("BEGIN");
  source.exec("BEGIN DEFERRED");
  try {
    const names = COPIED_TABLES.map((spec) => spec.name).join(", ");
    // A second copy, or a hotdoc started on the target meanwhile, waits here or fails.
    await target.query("SET LOCAL lock_timeout = '10s'");
    await target.query(`LOCK TABLE ${names} IN EXCLUSIVE MODE`);
    await checkLayout(source, target);
    const used = await nonEmptyTables(target);
    if (used.length > 0) throw new TargetNotEmptyError(used);
    for (const spec of COPIED_TABLES) {
      const total = Number(
        (source.prepare(`SELECT count(*) AS n FROM ${spec.name}`).get() as { n: number }).n,
      );
      const copied = await copyTable(source, target, spec, total, progress, () => {
        result.reassembledCheckpoints++;
      });
      result.tables.push({ table: spec.name, ...copied });
    }
    result.nextUpdateId = nextUpdateId(source);
    // is_called = false: the next nextval() returns exactly this value.
    await target.query("SELECT setval(pg_get_serial_sequence('updates', 'id'), $1::int8, false)", [
      result.nextUpdateId,
    ]);
    progress(`update ids continue at ${result.nextUpdateId}; committing`);
    await target.query("COMMIT");
    return result;
  } catch (error) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    if (source.isTransaction) source.exec("ROLLBACK");
  }
}

/** Tables of either store that hold nothing to carry over. */
const NOT_COPIED = new Set([
  "checkpoint_parts",
  "checkpoint_writers",
  "schema_version",
  "sqlite_sequence",
]);

/**
 * Refuses to copy when either store has a table or column this copy does not know (a
 * later migration added it): skipping it silently would lose what it holds.
 */
async function checkLayout(source: DatabaseSync, target: pg.ClientBase): Promise<void> {
  const known = new Map(
    COPIED_TABLES.map((spec) => [
      spec.name,
      spec.columns
        .map(([name]) => name)
        .sort()
        .join(" "),
    ]),
  );
  const sqlite = new Map<string, string[]>();
  for (const row of source
    .prepare(
      `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p
       WHERE m.type = 'table'`,
    )
    .all() as { tbl: string; col: string }[])
    sqlite.set(row.tbl, [...(sqlite.get(row.tbl) ?? []), row.col]);
  const postgres = new Map<string, string[]>();
  const { rows } = await target.query<{ tbl: string; col: string }>(
    `SELECT table_name AS tbl, column_name AS col FROM information_schema.columns
     WHERE table_schema = current_schema()`,
  );
  for (const row of rows) postgres.set(row.tbl, [...(postgres.get(row.tbl) ?? []), row.col]);
  for (const [side, tables] of [
    ["SQLite", sqlite],
    ["PostgreSQL", postgres],
  ] as const) {
    for (const [name, columns] of tables) {
      if (NOT_COPIED.has(name)) continue;
      const expected = known.get(name);
      if (expected === undefined)
        throw new Error(`the ${side} store has a table this copy does not know: ${name}`);
      if (columns.sort().join(" ") !== expected)
        throw new Error(
          `the ${side} store's ${name} has columns ${columns.join(", ")}; this copy knows ${expected.replaceAll(" ", ", ")}`,
        );
    }
    for (const name of known.keys())
      if (!tables.has(name)) throw new Error(`the ${side} store has no table ${name}`);
  }
}

/** The tables of the target that hold rows, and how many. */
async function nonEmptyTables(target: pg.ClientBase): Promise<{ table: string; rows: number }[]> {
  const { rows } = await target.query<{ table: string; rows: number }>(
    COPIED_TABLES.map(
      (spec) => `SELECT '${spec.name}' AS "table", count(*)::int8 AS "rows" FROM ${spec.name}`,
    ).join(" UNION ALL "),
  );
  return rows
    .filter((row) => Number(row.rows) > 0)
    .map((row) => ({ ...row, rows: Number(row.rows) }));
}

/**
 * The first id PostgreSQL may hand out: past every update id SQLite handed out (its
 * AUTOINCREMENT high-water mark survives pruning) and past every checkpoint's sequence
 * number, since a load reads only the updates whose id is above its checkpoint's.
 */
function nextUpdateId(source: DatabaseSync): number {
  const row = source
    .prepare(
      `SELECT max(
         coalesce((SELECT max(id) FROM updates), 0),
         coalesce((SELECT max(seq) FROM checkpoints), 0),
         coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'updates'), 0)) AS last`,
    )
    .get() as { last: number };
  return Number(row.last) + 1;
}

async function copyTable(
  source: DatabaseSync,
  target: pg.ClientBase,
  spec: TableSpec,
  total: number,
  progress: (line: string) => void,
  reassembled: () => void,
): Promise<{ rows: number; digest: string }> {
  const columns = spec.columns.map(([name]) => name);
  const digest = new RowDigest();
  const parts =
    spec.name === "checkpoints"
      ? source.prepare("SELECT data FROM checkpoint_parts WHERE doc = ? AND seq = ? ORDER BY part")
      : null;
  const rows = source
    .prepare(`SELECT ${columns.join(", ")} FROM ${spec.name} ORDER BY ${spec.key.join(", ")}`)
    .iterate() as Iterable<Record<string, unknown>>;
  let batch: Value[][] = [];
  let bytes = 0;
  let lastReport = performance.now();
  const flush = async () => {
    if (batch.length === 0) return;
    await insertBatch(target, spec, batch);
    for (const values of batch) digest.add(values);
    batch = [];
    bytes = 0;
    if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = performance.now();
      progress(`${spec.name}: ${digest.rows} of ${total} rows`);
    }
  };
  for (const row of rows) {
    if (parts && row.data instanceof Uint8Array && row.data.byteLength === 0) {
      // A large checkpoint: its row is empty and its state is in parts, in order.
      const pieces = (
        parts.all(row.doc as string, row.seq as number) as { data: Uint8Array }[]
      ).map((p) => p.data);
      if (pieces.length === 0)
        throw new Error(`checkpoint ${row.seq} of ${row.doc} has no data in the SQLite store`);
      row.data = Buffer.concat(pieces);
      reassembled();
    }
    const values = spec.columns.map(([name, kind]) =>
      normalise(kind, row[name], `${spec.name}.${name}`),
    );
    const size = values.reduce<number>(
      (sum, v) => sum + (Buffer.isBuffer(v) ? v.byteLength : typeof v === "string" ? v.length : 8),
      0,
    );
    if (batch.length > 0 && (batch.length >= BATCH_ROWS || bytes + size > BATCH_BYTES))
      await flush();
    batch.push(values);
    bytes += size;
  }
  await flush();
  progress(`${spec.name}: ${digest.rows} rows copied`);
  if (digest.rows !== total)
    throw new Error(`${spec.name}: read ${digest.rows} rows of the ${total} counted`);
  return { rows: digest.rows, digest: digest.digest() };
}

/**
 * One statement per batch: arrays unnested into rows. A lone row (a large checkpoint) goes
 * as plain parameters instead, so its bytes travel in binary rather than as hex text.
 */
async function insertBatch(target: pg.ClientBase, spec: TableSpec, batch: Value[][]) {
  const columns = spec.columns.map(([name]) => name).join(", ");
  try {
    if (batch.length === 1) {
      const params = spec.columns.map((_, i) => `$${i + 1}`).join(", ");
      await target.query(`INSERT INTO ${spec.name} (${columns}) VALUES (${params})`, batch[0]);
      return;
    }
    const arrays = spec.columns.map(([, kind], i) => `$${i + 1}::${kind}[]`).join(", ");
    await target.query(
      `INSERT INTO ${spec.name} (${columns}) SELECT * FROM unnest(${arrays})`,
      spec.columns.map((_, i) => batch.map((values) => values[i])),
    );
  } catch (error) {
    throw new Error(`copying ${spec.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
