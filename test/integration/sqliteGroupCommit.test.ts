import fs from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { readTimeline } from "#shared/doc/index.ts";
import {
  openSqliteStores,
  type SqliteStores,
} from "../../server/storage/sqlite/openSqliteStores.ts";
import { tempDataDir } from "../helpers/testServer.ts";
import { increasing, restoreDoc, timelineUpdates } from "../helpers/timelineUpdates.ts";

const open: SqliteStores[] = [];
const sides: DatabaseSync[] = [];

async function stores(dataDir = tempDataDir()): Promise<SqliteStores> {
  const opened = await openSqliteStores(dataDir);
  open.push(opened);
  return opened;
}

/** A second connection to the same file, standing for another reader or writer. */
function sideConnection(s: SqliteStores): DatabaseSync {
  const db = new DatabaseSync(s.file);
  db.exec("PRAGMA busy_timeout = 5000");
  sides.push(db);
  return db;
}

afterEach(async () => {
  for (const db of sides.splice(0)) db.close();
  for (const s of open.splice(0)) await s.close();
});

describe("SQLite update log: group commit", () => {
  it("writes 200 appends requested in one turn in one transaction, each with its own increasing id", async () => {
    const s = await stores();
    const docs = ["HOT-1", "HOT-2", "HOT-3"];
    // Three writers, their updates interleaved: each document's own must keep their order.
    const perDoc = docs.map((d) => timelineUpdates(67, new Y.Doc(), d));
    const list = Array.from({ length: 200 }, (_, i) => perDoc[i % 3][Math.floor(i / 3)]);
    const before = s.log.appendStats();
    const pending = list.map((u, i) => s.log.appendUpdate(docs[i % 3], u, "test", 1000 + i));
    // Nothing is committed yet in this turn, so a read sees none of it.
    expect(s.log.looseUpdates("HOT-1")).toBe(0);
    expect(await s.log.loadState("HOT-1")).toBeNull();
    const ids = await Promise.all(pending);
    const after = s.log.appendStats();
    expect(after.transactions - before.transactions).toBe(1);
    expect(after.appends - before.appends).toBe(200);
    expect(after.largestBatch).toBe(200);
    expect(new Set(ids).size).toBe(200);
    expect(increasing(ids)).toBe(true);
    // Committed: another connection sees every row under the id its caller got, in request order.
    const rows = sideConnection(s).prepare("SELECT id, doc, at FROM updates ORDER BY id").all() as {
      id: number;
      doc: string;
      at: number;
    }[];
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.map((r) => [r.doc, r.at])).toEqual(list.map((_, i) => [docs[i % 3], 1000 + i]));
    for (const [d, doc] of docs.entries())
      expect(readTimeline(restoreDoc(await s.log.loadState(doc)))).toHaveLength(d < 2 ? 67 : 66);
  });

  it("gives appends of a later turn a transaction of their own, after the first", async () => {
    const s = await stores();
    const list = timelineUpdates(150);
    const before = s.log.appendStats();
    const first = list.slice(0, 100).map((u) => s.log.appendUpdate("HOT-1", u, "test"));
    // The first batch commits in this setImmediate (it was scheduled first).
    await new Promise((resolve) => setImmediate(resolve));
    const second = list.slice(100).map((u) => s.log.appendUpdate("HOT-1", u, "test"));
    const ids = await Promise.all([...first, ...second]);
    expect(s.log.appendStats().transactions - before.transactions).toBe(2);
    expect(increasing(ids)).toBe(true);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(150);
  });

  it("gathers the appends of the turns that pass while a batch is committed into the next batch", async () => {
    const s = await stores();
    const list = timelineUpdates(11);
    const before = s.log.appendStats();
    const pending = [s.log.appendUpdate("HOT-1", list[0], "test")];
    // Ten more turns, one append each, all while the first batch is in the append worker:
    // committed one transaction per turn, they would take eleven.
    for (const u of list.slice(1)) {
      await new Promise((resolve) => setImmediate(resolve));
      pending.push(s.log.appendUpdate("HOT-1", u, "test"));
    }
    const ids = await Promise.all(pending);
    const after = s.log.appendStats();
    expect(after.appends - before.appends).toBe(11);
    expect(after.transactions - before.transactions).toBeLessThanOrEqual(3);
    expect(increasing(ids)).toBe(true);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(11);
  });

  it("rejects every append of a batch that fails, stores none of them, and goes on", async () => {
    const s = await stores();
    // Another connection makes the database refuse one row of the batch (as a full disk would).
    sideConnection(s).exec(
      "CREATE TRIGGER refuse_bad BEFORE INSERT ON updates WHEN NEW.origin = 'bad' BEGIN SELECT RAISE(ABORT, 'refused: bad origin'); END",
    );
    const list = timelineUpdates(10);
    const results = await Promise.allSettled(
      list.map((u, i) => s.log.appendUpdate("HOT-1", u, i === 7 ? "bad" : "test")),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("rejected"));
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/refused: bad origin/);
    // The rows before the refused one were rolled back with it.
    expect(await s.log.loadState("HOT-1")).toBeNull();
    expect(s.log.looseUpdates("HOT-1")).toBe(0);
    // The store goes on: the next turn's appends are a batch of their own.
    const ids = await Promise.all(list.map((u) => s.log.appendUpdate("HOT-1", u, "test")));
    expect(increasing(ids)).toBe(true);
    expect(readTimeline(restoreDoc(await s.log.loadState("HOT-1")))).toHaveLength(10);
  });

  it("fails an append with no valid time alone, not its batch", async () => {
    const s = await stores();
    const list = timelineUpdates(3);
    const results = await Promise.allSettled([
      s.log.appendUpdate("HOT-1", list[0], "test"),
      s.log.appendUpdate("HOT-1", list[1], "test", Number.NaN),
      s.log.appendUpdate("HOT-1", list[2], "test"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(s.log.looseUpdates("HOT-1")).toBe(2);
  });

  it("commits the appends still queued when the store closes", async () => {
    const dataDir = tempDataDir();
    const s = await stores(dataDir);
    const list = timelineUpdates(5);
    const pending = list.map((u) => s.log.appendUpdate("HOT-1", u, "test"));
    await s.close();
    open.splice(open.indexOf(s), 1);
    expect(await Promise.all(pending)).toHaveLength(5);
    const again = await stores(dataDir);
    expect(readTimeline(restoreDoc(await again.log.loadState("HOT-1")))).toHaveLength(5);
  });

  it("still has the worker copy the WAL into the database file every 1000 appends, counted across batches", async () => {
    const s = await stores();
    const startBytes = fs.statSync(s.file).size;
    const payload = new Uint8Array(2048).fill(7);
    const batch = (n: number) =>
      Promise.all(Array.from({ length: n }, () => s.log.appendUpdate("RAW", payload, "test")));
    await batch(600);
    // 600 appends: no copy asked for yet (the store's own connection never copies).
    expect(fs.statSync(s.file).size).toBe(startBytes);
    await batch(400);
    expect(s.log.appendStats().transactions).toBe(2);
    await vi.waitFor(
      () => expect(fs.statSync(s.file).size).toBeGreaterThan(startBytes + 1_900_000),
      {
        timeout: 5000,
      },
    );
  });
});
