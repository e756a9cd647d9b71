import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import {
  type CopyResult,
  copySqliteToPostgres,
  sqliteInUse,
  TargetNotEmptyError,
} from "../storage/copyStore.ts";
import { createStores } from "../storage/createStores.ts";
import { checkSchemaName, createPool } from "../storage/postgres/pgPool.ts";
import type { Stores } from "../storage/stores.ts";
import { type CopyCheck, verifyCopy } from "../storage/verifyCopy.ts";

const USAGE = `Usage: npm run migrate-store -- --to <postgres://user@host:port/database> [--schema <name>]
                                [--data-dir <dir>]

Copies a hotdoc's SQLite store (<data dir>/hotdoc.sqlite) into PostgreSQL: incidents and
their documents with every update and checkpoint (time travel reaches as far back as
before), links and sessions, linked chat rooms, settings. Ids and times are kept, so links
minted before keep working and the next incident gets the next key. The copy is then
checked: every table row by row, every document as each store loads it.

Stop hotdoc first (every process using the data directory): the copy refuses while the
SQLite database is open elsewhere. It only reads the SQLite store (an older one is first
brought to the current schema version, as hotdoc does when it starts). The target schema
must be empty (it is created and migrated when missing). A copy that fails is rolled back,
so it can simply be run again; a copy whose check fails stays (drop the schema first).

  --to        the PostgreSQL database (default: DATABASE_URL)
  --schema    the schema to copy into (default: DATABASE_SCHEMA, else public)
  --data-dir  the SQLite store's directory (default: DATA_DIR, else ./data)

Then start hotdoc with DATABASE_URL and DATABASE_SCHEMA set, and TOKEN_SECRET set to the
secret the SQLite hotdoc signed links with (its data directory's token-secret file, unless
TOKEN_SECRET was set), or every link minted before stops working.

Exit status: 0 copied and verified; 1 the copy or its check failed; 2 nothing was copied
(bad arguments, hotdoc still running, the target unreachable or not empty).`;

/** Refused before anything was copied: exit status 2. */
class Refusal extends Error {}

function parseCommandLine() {
  return parseArgs({
    options: {
      to: { type: "string" },
      schema: { type: "string" },
      "data-dir": { type: "string" },
      help: { type: "boolean" },
    },
  });
}

/** The URL with its password hidden, for messages. */
function redact(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = "***";
  return shown.toString();
}

function log(line: string): void {
  console.log(`migrate-store: ${line}`);
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    console.error(`migrate-store: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    return await migrate(values);
  } catch (error) {
    if (error instanceof Refusal || error instanceof TargetNotEmptyError) {
      console.error(`migrate-store: ${error.message}; nothing was copied`);
      return 2;
    }
    console.error(`migrate-store: failed: ${(error as Error).message}`);
    return 1;
  }
}

async function migrate(values: ReturnType<typeof parseCommandLine>["values"]): Promise<number> {
  const to = values.to ?? process.env.DATABASE_URL;
  if (!to) throw new Refusal(`give the target database with --to (or DATABASE_URL)\n\n${USAGE}`);
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    throw new Refusal(
      `--to ${JSON.stringify(to)} is not a URL: give postgres://user@host:port/database`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new Refusal(`--to is a postgres:// URL, not ${url.protocol}//…`);
  const schemaName = values.schema ?? (process.env.DATABASE_SCHEMA || "public");
  let schema: string;
  try {
    schema = checkSchemaName(schemaName);
  } catch (error) {
    throw new Refusal((error as Error).message);
  }
  const dataDir = path.resolve(values["data-dir"] ?? process.env.DATA_DIR ?? "./data");
  const file = path.join(dataDir, "hotdoc.sqlite");
  if (!fs.existsSync(file))
    throw new Refusal(`there is no hotdoc store in ${dataDir} (no hotdoc.sqlite)`);
  const where = `${redact(url)} (schema ${schema})`;
  if (sqliteInUse(file))
    throw new Refusal(
      `${file} is in use by another process: stop hotdoc (every process using ${dataDir}) first`,
    );

  log(`copying ${file} into ${where}`);
  const started = performance.now();
  const opened: { close(): Promise<void> }[] = [];
  try {
    const sqlite = await createStores({ dataDir, database: null });
    opened.push(sqlite);
    let postgres: Stores;
    try {
      postgres = await createStores({ dataDir, database: { url: to, schema } });
    } catch (error) {
      throw new Refusal(`cannot open ${where}: ${(error as Error).message}`);
    }
    opened.push(postgres);
    const source = new DatabaseSync(file, { readOnly: true });
    opened.push({ close: async () => source.close() });
    const pool = createPool(
      { url: to, schema },
      { max: 1, name: "hotdoc-migrate-store", onError: () => undefined },
    );
    opened.push({ close: () => pool.end() });
    const client = await pool.connect();
    opened.push({ close: async () => client.release() });

    const copied = await copySqliteToPostgres(source, client, log).catch((error: Error) => {
      if (error instanceof TargetNotEmptyError) throw error;
      throw new Error(`${error.message}; the copy was rolled back: the target is as it was`);
    });
    log(`copied in ${seconds(started)}; checking the copy`);
    const check = await verifyCopy({
      copied,
      target: client,
      sourceLog: sqlite.log,
      targetLog: postgres.log,
      progress: log,
    });
    printSummary(copied, check);
    if (check.mismatches.length > 0) {
      for (const line of check.mismatches) console.error(`migrate-store: MISMATCH ${line}`);
      console.error(
        `migrate-store: the copy differs from the SQLite store in ${check.mismatches.length} way(s): do not switch to it; empty the schema (DROP SCHEMA ${schema} CASCADE) before copying again`,
      );
      return 1;
    }
    log(`copy verified in ${seconds(started)}`);
  } finally {
    for (const item of opened.reverse()) await item.close().catch(() => undefined);
  }
  // Someone started hotdoc on the SQLite store meanwhile: what it writes now is not in the copy.
  if (sqliteInUse(file)) {
    console.error(
      `migrate-store: ${file} was opened by another process during the copy; stop it and copy again into an empty schema`,
    );
    return 1;
  }
  const secretFile = path.join(dataDir, "token-secret");
  log(
    fs.existsSync(secretFile)
      ? `next: start hotdoc with DATABASE_URL, DATABASE_SCHEMA=${schema} and TOKEN_SECRET set to the contents of ${secretFile}`
      : `next: start hotdoc with DATABASE_URL, DATABASE_SCHEMA=${schema} and the same TOKEN_SECRET as before`,
  );
  return 0;
}

function printSummary(copied: CopyResult, check: CopyCheck): void {
  const width = Math.max(...check.tables.map((table) => table.table.length));
  log("table rows (SQLite → PostgreSQL):");
  for (const table of check.tables)
    log(
      `  ${table.table.padEnd(width)} ${String(table.sqlite).padStart(9)} → ${String(table.postgres).padStart(9)}  ${table.same ? "same" : "DIFFERENT"}`,
    );
  log(
    `${check.documents} documents compared; ${copied.reassembledCheckpoints} checkpoints reassembled from parts; update ids continue at ${copied.nextUpdateId}`,
  );
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("migrate-store failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
