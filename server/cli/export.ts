import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import * as Y from "yjs";
import {
  applyTimelineRemovals,
  IncidentKeySchema,
  InstantSchema,
  timelineRemovals,
} from "#shared/doc/index.ts";
import {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMAT_IDS,
  type ExportFormatId,
} from "#shared/exportFormats.ts";
import { exportFormat } from "../export/formats.ts";
import { buildPostmortem } from "../export/postmortem.ts";
import { createStores } from "../storage/createStores.ts";
import { HistoryCompactedError } from "../storage/records.ts";

const USAGE = `Usage: npm run export -- <KEY> [--format ${EXPORT_FORMAT_IDS.join("|")}] [--at <ISO time>] [--out <file>]
                         [--server <url> --token <token>] [--data-dir <dir>]

Exports an incident's postmortem draft. With --server it asks a running hotdoc; otherwise
it reads the stores directly, which is safe while the server runs: the PostgreSQL database
when DATABASE_URL is set (tables in DATABASE_SCHEMA, else public), else the data directory
(--data-dir, else DATA_DIR, else ./data). --at rebuilds the document as it stood at that instant.`;

/** The command line, parsed (throws on an unknown option). */
function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      format: { type: "string", default: DEFAULT_EXPORT_FORMAT },
      at: { type: "string" },
      out: { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      "data-dir": { type: "string" },
      help: { type: "boolean" },
    },
  });
}

/** Entry point of `npm run export`. */
async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const key = positionals[0]?.toUpperCase() ?? "";
  if (!IncidentKeySchema.safeParse(key).success)
    return fail(`give an incident key such as HOT-12\n\n${USAGE}`);
  if (!(EXPORT_FORMAT_IDS as readonly string[]).includes(values.format))
    return fail(`--format is one of ${EXPORT_FORMAT_IDS.join(", ")}`);
  const format = values.format as ExportFormatId;
  if (values.at !== undefined && !InstantSchema.safeParse(values.at).success)
    return fail("--at is an ISO time with an offset, e.g. 2026-11-20T14:05:00Z");

  let output: string;
  if (values.server) {
    if (!values.token) return fail("--server needs --token");
    const url = new URL(`/api/incidents/${key}/export`, values.server);
    url.searchParams.set("format", format);
    if (values.at) url.searchParams.set("at", values.at);
    const response = await fetch(url, { headers: { authorization: `Bearer ${values.token}` } });
    const body = await response.text();
    if (!response.ok) return fail(`the server answered ${response.status}: ${body}`);
    output = body;
  } else {
    const dataDir = path.resolve(values["data-dir"] ?? process.env.DATA_DIR ?? "./data");
    const url = process.env.DATABASE_URL;
    const database = url ? { url, schema: process.env.DATABASE_SCHEMA || "public" } : null;
    if (!database && !fs.existsSync(path.join(dataDir, "hotdoc.sqlite")))
      return fail(`no hotdoc data in ${dataDir}`);
    const where = database ? `the database (schema ${database.schema})` : dataDir;
    const stores = await createStores({ dataDir, database });
    try {
      if (!(await stores.incidents.incidentExists(key)))
        return fail(`there is no incident ${key} in ${where}`);
      const state = await stores.log.loadState(key, values.at ? { at: Date.parse(values.at) } : {});
      if (!state) return fail(`${key} did not exist yet at ${values.at}`);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      if (values.at) {
        // Timeline text removed since that instant (a pasted secret) stays removed, as on the server.
        const current = new Y.Doc();
        const now = await stores.log.loadState(key);
        if (now) Y.applyUpdate(current, now);
        applyTimelineRemovals(doc, timelineRemovals(current));
        current.destroy();
      }
      output = exportFormat(format).render(
        buildPostmortem(doc, { asOf: values.at ? new Date(values.at).toISOString() : undefined }),
      );
    } catch (error) {
      if (error instanceof HistoryCompactedError) return fail(error.message);
      throw error;
    } finally {
      await stores.close();
    }
  }
  if (values.out) {
    fs.writeFileSync(values.out, output);
    console.error(`wrote ${values.out}`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}

function fail(message: string): number {
  console.error(`export: ${message}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("export failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
