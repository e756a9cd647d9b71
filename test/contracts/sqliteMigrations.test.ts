import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, initIncident, readTimeline } from "#shared/doc/index.ts";
import { MIGRATIONS, SchemaTooNewError } from "../../server/storage/sqlite/migrations.ts";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { tempDataDir } from "../helpers/testServer.ts";

const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * The schema as hotdoc created it before sign-in existed (server/storage/SqliteStore.ts at
 * the commit before 328e37f), copied here unchanged: no sessions or people, and access
 * tokens without `shared` and `parent`.
 */
const SCHEMA_BEFORE_SIGN_IN = `
CREATE TABLE IF NOT EXISTS updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  doc TEXT NOT NULL,
  at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_doc_id ON updates (doc, id);
CREATE TABLE IF NOT EXISTS checkpoints (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq)
);
CREATE TABLE IF NOT EXISTS history (
  doc TEXT PRIMARY KEY,
  start_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS access_tokens_scope ON access_tokens (scope, created_at);
CREATE TABLE IF NOT EXISTS channel_links (
  platform TEXT NOT NULL,
  channel TEXT NOT NULL,
  incident TEXT NOT NULL,
  webhook_url TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE INDEX IF NOT EXISTS channel_links_incident ON channel_links (incident);
CREATE TABLE IF NOT EXISTS chat_rooms (
  platform TEXT NOT NULL,
  channel TEXT NOT NULL,
  name TEXT NOT NULL,
  named_at INTEGER NOT NULL,
  PRIMARY KEY (platform, channel)
);
CREATE TABLE IF NOT EXISTS chat_transactions (
  platform TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (platform, txn_id)
);
CREATE TABLE IF NOT EXISTS incidents (
  key TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS checkpoint_parts (
  doc TEXT NOT NULL,
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (doc, seq, part)
);
`;

/** What the last release without schema versions added on top (its SCHEMA and addMissingColumns). */
const SIGN_IN_ADDITIONS = `
ALTER TABLE access_tokens ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE access_tokens ADD COLUMN parent TEXT;
CREATE INDEX IF NOT EXISTS access_tokens_parent ON access_tokens (parent);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT,
  role TEXT NOT NULL,
  scope TEXT NOT NULL,
  token_id TEXT,
  via TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS people (
  subject TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS people_email ON people (email);
`;

const T0 = 1_700_000_000_000;

/**
 * A hotdoc.sqlite written the way an earlier release left it: HOT-1 and HOT-2 registered,
 * HOT-1's document as a checkpoint of its first updates plus a tail, a link, a room name,
 * an applied transaction, a token; with sign-in, also a session and a person.
 */
function writeOldDatabase(dataDir: string, withSignIn: boolean): Y.Doc {
  const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
  db.exec(SCHEMA_BEFORE_SIGN_IN);
  if (withSignIn) db.exec(SIGN_IN_ADDITIONS);
  const writer = new Y.Doc();
  const updates: Uint8Array[] = [];
  writer.on("update", (u: Uint8Array) => updates.push(u));
  initIncident(writer, {
    key: "HOT-1",
    summary: "Old",
    severity: 2,
    actor: { name: "a", source: "api" },
  });
  for (let i = 0; i < 10; i++) appendTimelineEntry(writer, { author: "a", text: `old ${i}` });
  const append = db.prepare("INSERT INTO updates (doc, at, origin, data) VALUES (?, ?, ?, ?)");
  const checkpointAfter = 6;
  const covered = new Y.Doc();
  for (const [i, u] of updates.entries()) {
    append.run("HOT-1", T0 + i, "old", u);
    if (i < checkpointAfter) Y.applyUpdate(covered, u);
  }
  db.prepare("INSERT INTO checkpoints (doc, seq, at, data) VALUES (?, ?, ?, ?)").run(
    "HOT-1",
    checkpointAfter,
    T0 + checkpointAfter - 1,
    Y.encodeStateAsUpdate(covered),
  );
  db.exec(`INSERT INTO counters (name, value) VALUES ('HOT', 2);
    INSERT INTO incidents (key, created_at, summary) VALUES ('HOT-1', ${T0}, NULL), ('HOT-2', ${T0 + 1}, NULL);
    INSERT INTO channel_links VALUES ('slack', 'C1', 'HOT-1', 'https://hooks.example/1', ${T0}, 'admin');
    INSERT INTO chat_rooms VALUES ('mattermost', 'ch1', 'hot-1', ${T0});
    INSERT INTO chat_transactions VALUES ('matrix', '35', 'aaa', ${T0});
    INSERT INTO access_tokens (id, role, name, scope, created_at, expires_at, created_by, revoked_at)
      VALUES ('t1', 'viewer', 'Support', 'HOT-1', ${T0}, ${T0 + 86_400_000}, 'admin', NULL);`);
  if (withSignIn) {
    db.exec(`INSERT INTO sessions VALUES ('s1', '${"ab".repeat(32)}', 'oidc:alice', 'Alice', 'alice@example.com',
        'responder', '*', NULL, 'oidc', 'c1', ${T0}, ${T0 + 3_600_000}, NULL);
      INSERT INTO people VALUES ('oidc:alice', 'Alice', 'alice@example.com', ${T0});`);
  }
  db.close();
  return writer;
}

function versionRows(dataDir: string): { version: number }[] {
  const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"));
  try {
    return db.prepare("SELECT version FROM schema_version").all() as { version: number }[];
  } finally {
    db.close();
  }
}

describe("SQLite schema migrations", () => {
  const open: Stores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const openStores = async (dir: string) => {
    const stores = await openSqliteStores(dir);
    open.push(stores);
    return stores;
  };

  it("creates a new database at the latest version, recorded in one row", async () => {
    const dir = tempDataDir();
    expect(await (await openStores(dir)).schemaVersion()).toBe(LATEST);
    expect(versionRows(dir)).toEqual([{ version: LATEST }]);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  for (const withSignIn of [false, true]) {
    it(`adopts a database from before schema versions (${withSignIn ? "with" : "before"} sign-in) with its data intact`, async () => {
      const dir = tempDataDir();
      const writer = writeOldDatabase(dir, withSignIn);
      const stores = await openStores(dir);
      expect(await stores.schemaVersion()).toBe(LATEST);
      expect(versionRows(dir)).toEqual([{ version: LATEST }]);

      const doc = new Y.Doc();
      Y.applyUpdate(doc, (await stores.log.loadState("HOT-1")) as Uint8Array);
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
      expect(readTimeline(doc).map((e) => e.text)).toEqual(readTimeline(writer).map((e) => e.text));
      expect(await stores.log.listDocuments()).toEqual(["HOT-1"]);
      expect(await stores.log.historyStart("HOT-1")).toBe(T0);
      expect((await stores.incidents.listIncidents()).map((i) => i.key)).toEqual([
        "HOT-2",
        "HOT-1",
      ]);
      expect(await stores.incidents.createIncident("HOT")).toBe("HOT-3");
      expect(await stores.chat.findChannelLink("slack", "C1")).toMatchObject({
        incident: "HOT-1",
        webhookUrl: "https://hooks.example/1",
      });
      expect(await stores.chat.recordRoomName("mattermost", "ch1", null)).toEqual({
        name: "hot-1",
        namedAt: T0,
      });
      expect(await stores.chat.recordChatTransaction("matrix", "35", null)).toEqual({
        digest: "aaa",
        appliedAt: T0,
      });
      // A token from before shared links is a personal one with no parent.
      expect(await stores.tokens.listAccessTokens("HOT-1")).toEqual([
        expect.objectContaining({ id: "t1", shared: false, parent: null, revokedAt: null }),
      ]);
      expect(await stores.tokens.accessTokenStatus("t1")).toBe("active");
      if (withSignIn) {
        expect(await stores.sessions.findSession("s1")).toMatchObject({ subject: "oidc:alice" });
        expect(await stores.people.findPersonByEmail("Alice@example.com")).toMatchObject({
          subject: "oidc:alice",
        });
      } else {
        expect(await stores.sessions.findSession("s1")).toBeNull();
      }
      // What the new migrations added works on the adopted database.
      expect(await stores.chat.claimDelivery("k", "p1", 1000)).toBe("claimed");
      expect(await stores.settings.claimSetting("team-link", "x")).toBe("x");
      // Opening it again runs nothing more.
      await stores.close();
      open.splice(open.indexOf(stores), 1);
      const again = await openStores(dir);
      expect(await again.schemaVersion()).toBe(LATEST);
      expect(await again.settings.claimSetting("team-link", "y")).toBe("x");
      expect(versionRows(dir)).toEqual([{ version: LATEST }]);
    });
  }

  it("refuses a database a newer hotdoc migrated, and leaves it as it is", async () => {
    const dir = tempDataDir();
    await (await openStores(dir)).close();
    open.splice(0);
    const db = new DatabaseSync(path.join(dir, "hotdoc.sqlite"));
    db.prepare("UPDATE schema_version SET version = ?").run(LATEST + 1);
    db.close();
    const refused = openSqliteStores(dir);
    await expect(refused).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(refused).rejects.toThrow(
      `is at schema version ${LATEST + 1}, but this hotdoc knows versions up to ${LATEST}`,
    );
    expect(versionRows(dir)).toEqual([{ version: LATEST + 1 }]);
  });
});
