import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  appendTimelineEntry,
  initIncident,
  readIncident,
  readTimeline,
  setRichTextPlain,
} from "#shared/doc/index.ts";
import { COPIED_TABLES } from "../../server/storage/copyStore.ts";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgresSchema.ts";
import { realisticIncident } from "../helpers/realisticIncident.ts";
import {
  startTestServer,
  TEST_TOKEN,
  type TestServer,
  tempDataDir,
} from "../helpers/testServer.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const DAY = 86_400_000;
const NOW = Date.now();
/** The realistic incident's state is accepted this long before the server's own edits. */
const SEEDED_AT = NOW - 2 * 3_600_000;
/** An old incident whose early history was compacted away (HISTORY_DAYS 30). */
const OLD = NOW - 40 * DAY;
/** Slack message timestamps (seconds.micros) a few minutes ago, as Slack would send them. */
const slackTs = (offset: number) => `${Math.floor(NOW / 1000) - 600 + offset}.000100`;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** `npm run migrate-store`'s entry point, as a child process. */
function migrateStore(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "server", "cli", "migrateStore.ts"), ...args],
      { encoding: "utf8", env: { ...process.env, DATABASE_URL: "", DATA_DIR: "", ...env } },
      (error, stdout, stderr) =>
        resolve({
          status: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** A response as bytes, for byte-for-byte comparison between the two servers. */
async function raw(
  server: TestServer,
  route: string,
  init: { token?: string; cookie?: string } = {},
): Promise<{ status: number; body: Buffer }> {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  else headers.authorization = `Bearer ${init.token ?? TEST_TOKEN}`;
  const response = await fetch(`${server.url}${route}`, { headers });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

/** Polls the stored incident until `predicate` holds (chat deliveries are applied after the 200). */
async function eventually(server: TestServer, key: string, predicate: (incident: any) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const incident = (await server.api("GET", `/api/incidents/${key}`)).body;
    if (predicate(incident)) return incident;
    if (Date.now() > deadline) throw new Error(`${key} never matched: ${JSON.stringify(incident)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const timelineTexts = (incident: any): string[] =>
  incident.timeline.map((entry: { text: string }) => entry.text);

/** Rows per table of a SQLite store file and of a PostgreSQL schema, read directly. */
function sqliteCounts(file: string): Record<string, number> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Object.fromEntries(
      [...COPIED_TABLES.map((spec) => spec.name), "checkpoint_parts"].map((table) => [
        table,
        Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n),
      ]),
    );
  } finally {
    db.close();
  }
}

describe("npm run migrate-store: SQLite to PostgreSQL", () => {
  const schemas = new TestSchemas();
  const schema = schemas.fresh();
  const dataDir = tempDataDir();
  const sqliteFile = path.join(dataDir, "hotdoc.sqlite");
  const to = ["--data-dir", dataDir, "--to", TEST_DATABASE_URL];
  let db: pg.Client;
  let server: TestServer | undefined;
  let whileRunning: Run;
  let migrated: Run;
  let tokenSecret: string;
  let countsBefore: Record<string, number>;
  const keys = { old: "", realistic: "", big: "", small: "" };
  const links = { responder: "", revoked: "", revokedId: "", shared: "" };
  let sessionCookie = "";
  let meBefore: { status: number; body: Buffer };
  /** What the SQLite server answered, by route. */
  const before = new Map<string, { status: number; body: Buffer }>();
  const compared: string[] = [];
  const firstSlack = slackMessage(
    "C0HOT42",
    "U0MARCO",
    "Rolling back the EU deploy now",
    slackTs(1),
  );

  beforeAll(async () => {
    db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();

    // Seeded through the stores: an old incident with compacted history, the realistic one
    // accepted two hours ago, and the rows only other platforms or sign-in would write.
    await (await openSqliteStores(dataDir)).close();
    const direct = new DatabaseSync(sqliteFile);
    // Keys continue from 41: the next key must come from the counter, not from counting incidents.
    direct.prepare("INSERT INTO counters (name, value) VALUES ('HOT', 40)").run();
    direct.close();
    const seed = await openSqliteStores(dataDir);
    try {
      keys.old = await seed.incidents.createIncident("HOT", OLD);
      const old = new Y.Doc();
      const updates: Uint8Array[] = [];
      old.on("update", (update: Uint8Array) => updates.push(update));
      const aiko = { name: "Aiko Tanaka", source: "editor" as const };
      initIncident(old, {
        key: keys.old,
        summary: "Search latency in APAC",
        severity: 3,
        actor: aiko,
        now: new Date(OLD),
      });
      for (let i = 1; i <= 5; i++)
        appendTimelineEntry(
          old,
          { author: "Aiko Tanaka", text: `p99 at ${300 + i * 40} ms` },
          new Date(OLD + i * 60_000),
        );
      for (const [i, update] of updates.entries())
        await seed.log.appendUpdate(keys.old, update, "seed", OLD + i * 60_000);
      await seed.log.compact(keys.old, { every: 1, keepMs: 30 * DAY, now: NOW });
      updates.length = 0;
      appendTimelineEntry(
        old,
        { author: "Aiko Tanaka", text: "Reopened: it is back" },
        new Date(NOW - DAY),
      );
      await seed.log.appendUpdate(keys.old, updates[0], "seed", NOW - DAY);

      keys.realistic = await seed.incidents.createIncident("HOT", SEEDED_AT);
      await seed.log.appendUpdate(
        keys.realistic,
        Y.encodeStateAsUpdate(realisticIncident()),
        "seed",
        SEEDED_AT,
      );
      await seed.people.savePerson({
        subject: "oidc:priya",
        name: "Priya Natarajan",
        email: "priya@example.com",
        updatedAt: NOW - DAY,
      });
      await seed.chat.recordRoomName("matrix", "!hot42:example.org", "hot-42", NOW - 3_600_000);
      await seed.chat.recordChatTransaction("matrix", "txn-17", "9f2c", NOW - 3_600_000);
      expect(await seed.chat.claimDelivery("slack:C0HOT42:1699999999.000100", "p1", 30_000)).toBe(
        "claimed",
      );
      await seed.chat.finishDelivery("slack:C0HOT42:1699999999.000100", "p1");
      await seed.settings.claimSetting("migration-check", "kept");
    } finally {
      await seed.close();
    }

    // The real server on that store: declarations, links, a session, a linked room, edits.
    server = await startTestServer({ dataDir, env: { ...SECRETS, CHECKPOINT_EVERY: "10" } });
    const declare = async (summary: string, severity: number) => {
      const answer = await server!.api("POST", "/api/incidents", { summary, severity });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.key as string;
    };
    keys.big = await declare("Log flood", 2);
    keys.small = await declare("Stale CDN cache", 3);
    expect(keys).toEqual({ old: "HOT-41", realistic: "HOT-42", big: "HOT-43", small: "HOT-44" });
    // Pasted logs in three-byte characters: ten entries already make a state past 1 MiB, so
    // every checkpoint of this incident is one the SQLite store writes in parts.
    for (let i = 0; i < 12; i++) {
      const text = `${i}: ${"連接池已耗盡，正在重試。".repeat(3300)}`.slice(0, 39_000);
      expect(
        (await server.api("POST", `/api/incidents/${keys.big}/timeline`, { text })).status,
      ).toBe(201);
    }
    await server.api("PATCH", `/api/incidents/${keys.small}`, { supportCases: "2" });
    const mint = async (body: object) =>
      (await server!.api("POST", `/api/incidents/${keys.realistic}/links`, body)).body;
    links.responder = (await mint({ role: "responder", name: "Marco Rossi" })).token;
    const stakeholders = await mint({ role: "viewer", name: "Stakeholders" });
    links.revoked = stakeholders.token;
    links.revokedId = stakeholders.id;
    expect(
      (await server.api("DELETE", `/api/incidents/${keys.realistic}/links/${links.revokedId}`))
        .status,
    ).toBe(204);
    links.shared = (await mint({ role: "responder" })).token;
    const exchanged = await fetch(`${server.url}/auth/link`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ token: links.shared, name: "Dana Kim" }),
    });
    expect(exchanged.status).toBe(200);
    sessionCookie =
      exchanged.headers
        .getSetCookie()
        .find((line) => line.includes("session"))
        ?.split(";")[0] ?? "";
    expect(sessionCookie).not.toBe("");
    expect(
      (
        await server.api("POST", `/api/incidents/${keys.realistic}/channels`, {
          platform: "slack",
          channel: "C0HOT42",
        })
      ).status,
    ).toBe(201);
    expect((await deliver(server.url, slackSigned(firstSlack))).status).toBe(200);
    await eventually(server, keys.realistic, (i) =>
      timelineTexts(i).includes("Rolling back the EU deploy now"),
    );
    // A responder typing over the websocket with the minted link.
    const provider = connectProvider(server.wsUrl, keys.realistic, links.responder);
    try {
      await whenSynced(provider);
      appendTimelineEntry(provider.document, {
        author: "Marco Rossi",
        text: "Rollback finished in eu-west-1",
      });
      setRichTextPlain(
        provider.document,
        "notes",
        "Rollback at 14:20 fixed it.\nWatch the EU panel.",
      );
      await whenAcknowledged(provider);
    } finally {
      provider.destroy();
    }
    await server.api("PATCH", `/api/incidents/${keys.realistic}`, { supportCases: "19" });

    for (const route of routesToCompare()) before.set(route, await raw(server, route));
    meBefore = await raw(server, "/api/me", { cookie: sessionCookie });
    whileRunning = await migrateStore([...to, "--schema", schema]);
    await server.close();
    server = undefined;

    // Whatever compaction the server left pending is done by the store's own code.
    const stores = await openSqliteStores(dataDir);
    await stores.log.compact(keys.big, { every: 10, keepMs: 30 * DAY });
    await stores.close();
    countsBefore = sqliteCounts(sqliteFile);
    tokenSecret = fs.readFileSync(path.join(dataDir, "token-secret"), "utf8").trim();

    const started = performance.now();
    migrated = await migrateStore([...to, "--schema", schema]);
    console.log(
      `FIGURES ${JSON.stringify({ migrateMs: Math.round(performance.now() - started), rows: countsBefore })}`,
    );
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    await db?.end();
    await schemas.dropAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The routes whose answers must be the same bytes before and after. */
  function routesToCompare(): string[] {
    const at = new Date(SEEDED_AT + 60_000).toISOString();
    return [
      "/api/incidents",
      ...Object.values(keys).map((key) => `/api/incidents/${key}`),
      ...Object.values(keys).map((key) => `/api/incidents/${key}/export?format=json`),
      `/api/incidents/${keys.realistic}/export?format=markdown`,
      `/api/incidents/${keys.realistic}/export?format=json&at=${at}`,
      `/api/incidents/${keys.realistic}/state?at=${at}`,
      // Before the old incident's kept history (410 both times), and after its start.
      `/api/incidents/${keys.old}/export?format=json&at=${new Date(OLD).toISOString()}`,
      `/api/incidents/${keys.old}/export?format=json&at=${new Date(NOW - 2 * DAY).toISOString()}`,
    ];
  }

  const startPostgresServer = () =>
    startTestServer({
      env: {
        ...SECRETS,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        TOKEN_SECRET: tokenSecret,
        CHECKPOINT_EVERY: "10",
      },
    });

  it("refuses while hotdoc still has the SQLite store open", () => {
    expect(whileRunning.status, whileRunning.stderr).toBe(2);
    expect(whileRunning.stderr).toMatch(/in use by another process: stop hotdoc/);
    expect(whileRunning.stderr).toContain("nothing was copied");
  });

  it("copies every table row for row and verifies it, large checkpoints reassembled", async () => {
    expect(migrated.status, `${migrated.stdout}\n${migrated.stderr}`).toBe(0);
    expect(migrated.stdout).toContain("copy verified");
    // Every kind of row is in the store being copied, including a checkpoint in parts.
    for (const [table, n] of Object.entries(countsBefore)) expect(n, table).toBeGreaterThan(0);
    expect(migrated.stdout).toMatch(/[1-9]\d* checkpoints reassembled from parts/);
    for (const spec of COPIED_TABLES) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.${spec.name}`);
      expect(rows[0].n, spec.name).toBe(countsBefore[spec.name]);
    }
    // Ids and times kept: the update log's rows are the same rows.
    const source = new DatabaseSync(sqliteFile, { readOnly: true });
    const sqliteUpdates = source
      .prepare("SELECT id, doc, at, origin, hex(data) AS data FROM updates ORDER BY id")
      .all()
      .map((row) => ({ ...row, data: String(row.data).toLowerCase() })) as {
      id: number;
      data: string;
    }[];
    const maxSeq = Number(
      (source.prepare("SELECT max(seq) AS s FROM checkpoints").get() as { s: number }).s,
    );
    source.close();
    const { rows: pgUpdates } = await db.query(
      `SELECT id::int, doc, at::float8 AS at, origin, encode(data, 'hex') AS data FROM ${schema}.updates ORDER BY id`,
    );
    expect(pgUpdates).toEqual(sqliteUpdates);
    // New appends get ids above every id and checkpoint the SQLite store had.
    const { rows: next } = await db.query(
      `SELECT last_value::int AS v, is_called FROM ${schema}.updates_id_seq`,
    );
    const nextId = next[0].is_called ? next[0].v + 1 : next[0].v;
    expect(nextId).toBeGreaterThan(Math.max(maxSeq, ...sqliteUpdates.map((u) => Number(u.id))));
  });

  it("serves every incident, the list, exports and time travel byte for byte as SQLite did", async () => {
    server = await startPostgresServer();
    for (const [route, expected] of before) {
      const found = await raw(server, route);
      expect(found.status, route).toBe(expected.status);
      expect(
        found.body.equals(expected.body),
        `${route}: ${found.body.toString().slice(0, 300)}`,
      ).toBe(true);
      compared.push(route);
    }
    // The comparisons are not vacuous: the realistic incident as it stood before the server's edits.
    const at = before.get(
      `/api/incidents/${keys.realistic}/export?format=json&at=${new Date(SEEDED_AT + 60_000).toISOString()}`,
    )!;
    expect(at.status).toBe(200);
    const past = at.body.toString();
    expect(past).toContain("Checkout fails for EU customers");
    expect(past).not.toContain("Rollback finished in eu-west-1");
    const state = new Y.Doc();
    Y.applyUpdate(
      state,
      before.get(
        `/api/incidents/${keys.realistic}/state?at=${new Date(SEEDED_AT + 60_000).toISOString()}`,
      )!.body,
    );
    expect(readIncident(state).timeline.length).toBe(
      readIncident(realisticIncident()).timeline.length,
    );
    expect(
      before.get(`/api/incidents/${keys.old}/export?format=json&at=${new Date(OLD).toISOString()}`)!
        .status,
    ).toBe(410);
    const now = JSON.parse(before.get(`/api/incidents/${keys.realistic}`)!.body.toString());
    expect(timelineTexts(now)).toEqual(
      expect.arrayContaining(["Rolling back the EU deploy now", "Rollback finished in eu-west-1"]),
    );
    expect(compared.length).toBe(before.size);
  });

  it("keeps minted links, revocations and sessions", async () => {
    const s = server!;
    expect(
      (await s.api("GET", `/api/incidents/${keys.realistic}`, undefined, links.responder)).status,
    ).toBe(200);
    const revoked = await s.api(
      "GET",
      `/api/incidents/${keys.realistic}`,
      undefined,
      links.revoked,
    );
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe("token_revoked");
    const me = await raw(s, "/api/me", { cookie: sessionCookie });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body.toString())).toMatchObject({ name: "Dana Kim", via: "session" });
    expect(me.body.equals(meBefore.body)).toBe(true);
    // The responder link still writes over the websocket; the edit lands after every copied id.
    const provider = connectProvider(s.wsUrl, keys.realistic, links.responder);
    try {
      await whenSynced(provider);
      expect(readTimeline(provider.document).map((e) => e.text)).toContain(
        "Rollback finished in eu-west-1",
      );
      appendTimelineEntry(provider.document, {
        author: "Marco Rossi",
        text: "EU error rate back to 0.1%",
      });
      await whenAcknowledged(provider);
    } finally {
      provider.destroy();
    }
  });

  it("routes the linked room to its incident, and a redelivered message is not applied twice", async () => {
    const s = server!;
    expect((await deliver(s.url, slackSigned(firstSlack, { retry: 1 }))).status).toBe(200);
    const next = slackMessage("C0HOT42", "U0DANA", "Status page updated", slackTs(2));
    expect((await deliver(s.url, slackSigned(next))).status).toBe(200);
    const incident = await eventually(s, keys.realistic, (i) =>
      timelineTexts(i).includes("Status page updated"),
    );
    expect(
      timelineTexts(incident).filter((t) => t === "Rolling back the EU deploy now"),
    ).toHaveLength(1);
  });

  it("declares the next key, and edits made on PostgreSQL survive a restart", async () => {
    let s = server!;
    const declared = await s.api("POST", "/api/incidents", {
      summary: "After the move",
      severity: 3,
    });
    expect(declared.status).toBe(201);
    expect(declared.body.key).toBe("HOT-45");
    // The big incident's checkpoint covers the highest ids: a new update must come after it.
    await s.api("POST", `/api/incidents/${keys.big}/timeline`, { text: "written on PostgreSQL" });
    await s.close();
    server = undefined;
    server = s = await startPostgresServer();
    expect(timelineTexts((await s.api("GET", `/api/incidents/${keys.big}`)).body)).toContain(
      "written on PostgreSQL",
    );
    expect(timelineTexts((await s.api("GET", `/api/incidents/${keys.realistic}`)).body)).toEqual(
      expect.arrayContaining(["EU error rate back to 0.1%", "Status page updated"]),
    );
    const stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema });
    try {
      expect((await stores.incidents.listIncidents()).map((i) => i.key).sort()).toEqual([
        "HOT-41",
        "HOT-42",
        "HOT-43",
        "HOT-44",
        "HOT-45",
      ]);
    } finally {
      await stores.close();
    }
  });

  it("refuses a target that already holds data, changing nothing", async () => {
    const { rows: beforeRows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.updates`);
    const again = await migrateStore([...to, "--schema", schema]);
    expect(again.status, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/already holds data \(updates: \d+ rows/);
    expect(again.stderr).toContain("nothing was copied");
    const { rows: afterRows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.updates`);
    expect(afterRows[0].n).toBe(beforeRows[0].n);
  });

  it("answers a bad target with a clear message and exit status 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--data-dir", dataDir, "--to", "not a url"], /is not a URL/],
      [["--data-dir", dataDir, "--to", "mysql://root@127.0.0.1/hotdoc"], /is a postgres:\/\/ URL/],
      [
        ["--data-dir", dataDir, "--to", "postgres://postgres:hunter2@127.0.0.1:1/test"],
        /cannot open postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test \(schema public\)/,
      ],
      [[...to, "--schema", "Not-A-Schema"], /not a lower-case SQL identifier/],
      [["--data-dir", path.join(dataDir, "missing"), "--to", TEST_DATABASE_URL], /no hotdoc store/],
      [["--data-dir", dataDir], /give the target database with --to/],
    ];
    const runs = await Promise.all(cases.map(([args]) => migrateStore(args)));
    for (const [i, run] of runs.entries()) {
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(cases[i][1]);
      expect(run.stderr).not.toContain("hunter2");
    }
  });
});
