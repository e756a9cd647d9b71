import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  appendTimelineEntry,
  initIncident,
  readIncident,
  setRichTextPlain,
} from "#shared/doc/index.ts";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import {
  confluenceXml,
  elements,
  expectNoLiveHostileUrl,
  isSafeDestination,
  markdownNodes,
} from "../helpers/exportInspection.ts";
import { HOSTILE_URLS, SAFE_URL, writeHostileNotes } from "../helpers/hostileDoc.ts";
import {
  startTestServer,
  TEST_TOKEN,
  type TestServer,
  tempDataDir,
} from "../helpers/testServer.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Runs `npm run export`'s entry point without blocking this process (which hosts the server it may call). */
function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "server", "cli", "export.ts"), ...args],
      { encoding: "utf8" },
      (error, stdout, stderr) => {
        resolve({
          status: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Resolves once the wall clock has moved past `instant`, so two writes get distinct acceptance times. */
async function clockPast(instant: number): Promise<void> {
  while (Date.now() <= instant) await new Promise((resolve) => setImmediate(resolve));
}

describe("export and time travel", () => {
  let server: TestServer;
  let key: string;
  let between: string;
  let beforeCreation: string;

  beforeAll(async () => {
    server = await startTestServer({ dataDir: tempDataDir() });
    beforeCreation = new Date(Date.now() - 60_000).toISOString();
    key = (await server.api("POST", "/api/incidents", { summary: "Time travel", severity: 3 })).body
      .key;
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "first edit: cache hit rate dropped",
    });
    const mark = Date.now();
    await clockPast(mark);
    between = new Date(mark).toISOString();
    await clockPast(mark + 1);
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "second edit: cache cluster restarted",
    });
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("exports every format over HTTP with the right content type, as a sandboxed attachment", async () => {
    for (const [format, type, extension] of [
      ["markdown", "text/markdown", "md"],
      ["html", "text/html", "html"],
      ["json", "application/json", "json"],
      ["confluence", "application/xhtml+xml", "xhtml"],
    ] as const) {
      const response = await fetch(`${server.url}/api/incidents/${key}/export?format=${format}`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(response.status, format).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="${key}-postmortem.${extension}"`,
      );
      expect(response.headers.get("content-security-policy")).toBe(
        "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      );
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toContain("second edit: cache cluster restarted");
    }
  });

  it("a responder's javascript: and data: links written over the websocket are never live links in any export", async () => {
    const responder = (
      await server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Mallory",
      })
    ).body.token;
    const doc = new Y.Doc();
    const provider = connectProvider(server.wsUrl, key, responder, doc);
    try {
      await whenSynced(provider);
      writeHostileNotes(doc);
      await whenAcknowledged(provider);
    } finally {
      provider.destroy();
    }
    const get = async (format: string) => {
      const response = await fetch(`${server.url}/api/incidents/${key}/export?format=${format}`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(response.status, format).toBe(200);
      return response.text();
    };
    const html = await get("html");
    expectNoLiveHostileUrl(html, "html");
    expect(html).toContain(`click me ${HOSTILE_URLS.length - 1}`);
    expect(elements(html).some((e) => e.name === "a" && e.attributes.href === SAFE_URL)).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;`,
    );
    expectNoLiveHostileUrl(confluenceXml(await get("confluence")), "confluence");
    const links = markdownNodes(await get("markdown")).filter(
      (n) => n.type === "link" || n.type === "image",
    );
    expect(links.map((n) => n.destination)).toContain(SAFE_URL);
    for (const link of links)
      expect(isSafeDestination(link.destination ?? ""), link.destination ?? "").toBe(true);
  });

  it("rebuilds the document as it stood at an instant between two edits", async () => {
    const response = await fetch(
      `${server.url}/api/incidents/${key}/export?format=json&at=${encodeURIComponent(between)}`,
      { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
    );
    const pm = await response.json();
    const texts = pm.timeline.map((e: { text: string }) => e.text);
    expect(texts).toContain("first edit: cache hit rate dropped");
    expect(texts).not.toContain("second edit: cache cluster restarted");
    expect(pm.severity.level).toBe(3);
    expect(pm.asOf).toBe(between);

    const state = await fetch(
      `${server.url}/api/incidents/${key}/state?at=${encodeURIComponent(between)}`,
      { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
    );
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(await state.arrayBuffer()));
    expect(readIncident(doc).timeline.map((e) => e.text)).not.toContain(
      "second edit: cache cluster restarted",
    );
    const history = (await server.api("GET", `/api/incidents/${key}/history`)).body;
    expect(Date.parse(history.start)).toBeLessThanOrEqual(Date.parse(between));
  });

  it("refuses a bad format or instant, an instant before the incident existed, and a caller without access", async () => {
    expect(
      (await server.api("GET", `/api/incidents/${key}/export?format=pdf`)).body.error,
    ).toMatchObject({ code: "validation_failed", field: "format" });
    expect(
      (await server.api("GET", `/api/incidents/${key}/export?at=yesterday`)).body.error,
    ).toMatchObject({ code: "validation_failed", field: "at" });
    expect(
      (
        await server.api(
          "GET",
          `/api/incidents/${key}/export?at=${encodeURIComponent(beforeCreation)}`,
        )
      ).status,
    ).toBe(404);
    expect((await server.api("GET", `/api/incidents/${key}/export`, undefined, null)).status).toBe(
      401,
    );
    const viewer = await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer" });
    expect(
      (
        await server.api(
          "GET",
          `/api/incidents/${key}/export?format=markdown`,
          undefined,
          viewer.body.token,
        )
      ).status,
    ).toBe(200);
  });

  it("exports from the command line, against the data directory and against the running server", async () => {
    const out = path.join(tempDataDir(), "pm.md");
    const fromData = await cli([
      key,
      "--format",
      "markdown",
      "--data-dir",
      server.dataDir,
      "--out",
      out,
    ]);
    expect(fromData.status, fromData.stderr).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain(`# ${key} - Time travel`);
    const fromServer = await cli([
      key,
      "--format",
      "json",
      "--at",
      between,
      "--server",
      server.url,
      "--token",
      TEST_TOKEN,
    ]);
    expect(fromServer.status, fromServer.stderr).toBe(0);
    expect(
      JSON.parse(fromServer.stdout).timeline.map((e: { text: string }) => e.text),
    ).not.toContain("second edit: cache cluster restarted");
    const bad = await cli(["HOT-999", "--data-dir", server.dataDir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("there is no incident HOT-999");
  });
});

/** A document rebuilt from a Yjs state. */
function docOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** The checkpoints the store holds for `doc`, read from its SQLite file. */
function storedCheckpoints(dataDir: string, doc: string): { seq: number; at: number }[] {
  const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"), { readOnly: true });
  try {
    return db
      .prepare("SELECT seq, at FROM checkpoints WHERE doc = ? ORDER BY seq")
      .all(doc)
      .map((row) => ({ seq: Number(row.seq), at: Number(row.at) }));
  } finally {
    db.close();
  }
}

/** When the store accepted each update of `doc`, in order. */
function storedUpdateTimes(dataDir: string, doc: string): { id: number; at: number }[] {
  const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"), { readOnly: true });
  try {
    return db
      .prepare("SELECT id, at FROM updates WHERE doc = ? ORDER BY id")
      .all(doc)
      .map((row) => ({ id: Number(row.id), at: Number(row.at) }));
  } finally {
    db.close();
  }
}

async function until<T>(what: string, probe: () => Promise<T> | T, ok: (value: T) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("time travel over HTTP across checkpoints", () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
  });

  it("instants before, between and after checkpoints each answer the document exactly as it stood then", async () => {
    // CHECKPOINT_EVERY at its minimum: a checkpoint once 10 updates have come in and add up
    // to a quarter of the last one, so a hundred-odd small writes leave several.
    server = await startTestServer({ env: { CHECKPOINT_EVERY: "10" } });
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Checkpoints", severity: 2 })
    ).body.key;
    const liveState = async () => {
      const response = await fetch(`${server.url}/api/incidents/${key}/state`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(response.status).toBe(200);
      return new Uint8Array(await response.arrayBuffer());
    };
    // After each write: an instant after it and before the next, and the document then.
    const snapshots: { at: number; state: Uint8Array }[] = [];
    const record = async () => {
      const state = await liveState();
      const at = Date.now();
      snapshots.push({ at, state });
      await clockPast(at);
    };
    const writeEntries = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const written = await server.api("POST", `/api/incidents/${key}/timeline`, {
          text: `step ${i}: ${"shard rebalance progress ".repeat(3)}${i}`,
        });
        expect(written.status).toBe(201);
        if (i % 25 === 24)
          expect(
            (await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 + (i % 3) })).status,
          ).toBe(200);
        await record();
      }
    };
    await record();
    await writeEntries(0, 60);
    // A large note from a real provider makes the next checkpoint big, so the 90 small
    // writes after it stay in its tail: a read more than 64 updates past a checkpoint takes
    // the store's other path (the checkpoint worker rebuilds the state). A second large
    // note then brings a newer checkpoint, so those reads must pick the older one.
    const writeNote = async (words: string) => {
      const provider = connectProvider(server.wsUrl, key, server.token);
      try {
        await whenSynced(provider);
        setRichTextPlain(provider.document, "notes", words.repeat(10_000));
        await whenAcknowledged(provider);
      } finally {
        provider.destroy();
      }
      await record();
    };
    await writeNote("replica lag by shard ");
    await writeEntries(60, 90);
    const longTailEnd = snapshots[snapshots.length - 1].at;
    await writeNote("shard moves paused ");
    await writeEntries(150, 12);

    const checkpoints = await until(
      "a checkpoint after the long tail",
      () => storedCheckpoints(server.dataDir, key),
      (rows) => rows.some((c) => c.at > longTailEnd),
    );
    const updates = storedUpdateTimes(server.dataDir, key);
    const first = checkpoints[0].at;
    const last = checkpoints[checkpoints.length - 1].at;
    expect(checkpoints.length).toBeGreaterThanOrEqual(4);
    expect(snapshots.some((s) => s.at < first)).toBe(true);
    expect(snapshots.some((s) => s.at >= last)).toBe(true);
    for (let i = 1; i < checkpoints.length; i++)
      expect(
        snapshots.some((s) => s.at >= checkpoints[i - 1].at && s.at < checkpoints[i].at),
        `an instant between checkpoints ${i - 1} and ${i}`,
      ).toBe(true);
    /** How many updates a read at `instant` applies on top of the checkpoint it starts from. */
    const tailAt = (instant: number) => {
      const base = checkpoints.findLast((c) => c.at <= instant);
      return updates.filter((u) => u.id > (base?.seq ?? 0) && u.at <= instant).length;
    };

    const expectStateAt = async (instant: number, expectedState: Uint8Array) => {
      const at = new Date(instant).toISOString();
      const response = await fetch(
        `${server.url}/api/incidents/${key}/state?at=${encodeURIComponent(at)}`,
        { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
      );
      expect(response.status, at).toBe(200);
      const then = docOf(new Uint8Array(await response.arrayBuffer()));
      const expected = docOf(expectedState);
      expect(Y.encodeStateVector(then), at).toEqual(Y.encodeStateVector(expected));
      expect(readIncident(then), at).toEqual(readIncident(expected));
    };

    // The instants on either side of every checkpoint, every tenth in between, and the last.
    let longTailProbes = 0;
    for (const [i, snapshot] of snapshots.entries()) {
      const nextAt = snapshots[i + 1]?.at ?? Number.POSITIVE_INFINITY;
      const previousAt = snapshots[i - 1]?.at ?? Number.NEGATIVE_INFINITY;
      const besideCheckpoint = checkpoints.some(
        (c) => (snapshot.at < c.at && nextAt >= c.at) || (snapshot.at >= c.at && previousAt < c.at),
      );
      if (besideCheckpoint || i % 10 === 0 || i === snapshots.length - 1) {
        await expectStateAt(snapshot.at, snapshot.state);
        if (tailAt(snapshot.at) > 64 && snapshot.at < last) longTailProbes++;
      }
    }
    expect(
      longTailProbes,
      "reads through the checkpoint worker, before a newer checkpoint",
    ).toBeGreaterThan(0);

    // The very millisecond an update was accepted includes it: for an update that is the
    // last before a snapshot, the state then is that snapshot.
    const exact = updates.flatMap((update, j) => {
      const snapshot = snapshots.find((s) => s.at >= update.at);
      const next = updates[j + 1]?.at ?? Number.POSITIVE_INFINITY;
      return snapshot && next > snapshot.at ? [{ at: update.at, state: snapshot.state }] : [];
    });
    expect(exact.length).toBeGreaterThan(100);
    for (const [i, probe] of exact.entries())
      if (i % 9 === 0 || checkpoints.some((c) => c.at === probe.at))
        await expectStateAt(probe.at, probe.state);
  }, 60_000);
});

describe("history older than HISTORY_DAYS", () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
  });

  it("an instant before the base checkpoint answers 410 history_compacted on /state and /export; one after it is still exact", async () => {
    // HISTORY_DAYS is at least one day, so the old history is written straight into a
    // data directory with the real store, stamped three days ago, and checkpointed the
    // way the server checkpoints (keepMs 0: nothing pruned yet). Pruning it is the server's job.
    const dataDir = tempDataDir();
    const minute = 60_000;
    const old = Date.now() - 3 * 86_400_000;
    const stores = await openSqliteStores(dataDir);
    const key = await stores.incidents.createIncident("HOT", old);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on("update", (update: Uint8Array) => updates.push(update));
    initIncident(doc, {
      key,
      summary: "Old incident",
      severity: 3,
      actor: { name: "Ana", source: "editor" },
      now: new Date(old),
    });
    const oldEntry = (i: number) =>
      appendTimelineEntry(doc, {
        author: "Ana",
        text: `old entry ${i}`,
        at: new Date(old + (i + 1) * minute).toISOString(),
      });
    for (let i = 0; i < 12; i++) oldEntry(i);
    for (const [i, update] of updates.entries())
      await stores.log.appendUpdate(key, update, "seed", old + i * minute);
    const seeded = updates.length;
    const checkpoint = await stores.log.compact(key, {
      every: 10,
      keepMs: 0,
      now: old + seeded * minute,
    });
    expect(checkpoint.checkpointSeq).not.toBeNull();
    const base = old + (seeded - 1) * minute;
    // Two more old updates after the checkpoint: kept, and time travel over them stays exact.
    oldEntry(12);
    oldEntry(13);
    await stores.log.appendUpdate(key, updates[seeded], "seed", base + 2 * minute);
    await stores.log.appendUpdate(key, updates[seeded + 1], "seed", base + 4 * minute);
    await stores.close();

    server = await startTestServer({ dataDir, env: { HISTORY_DAYS: "1", CHECKPOINT_EVERY: "10" } });
    // Loading the document (here for a write) runs the server's compaction, which prunes.
    expect(
      (await server.api("POST", `/api/incidents/${key}/timeline`, { text: "written today" }))
        .status,
    ).toBe(201);
    const history = await until(
      "the history start to move to the base checkpoint",
      async () => (await server.api("GET", `/api/incidents/${key}/history`)).body,
      (body) => body.start === new Date(base).toISOString(),
    );
    expect(history.start).toBe(new Date(base).toISOString());
    const db = new DatabaseSync(path.join(dataDir, "hotdoc.sqlite"), { readOnly: true });
    try {
      expect(
        Number(
          (
            db
              .prepare("SELECT count(*) AS n FROM updates WHERE doc = ? AND at <= ?")
              .get(key, base) as { n: number }
          ).n,
        ),
      ).toBe(0);
    } finally {
      db.close();
    }

    for (const before of [old + 5 * minute, base - 1, old - 3_600_000]) {
      const at = encodeURIComponent(new Date(before).toISOString());
      for (const route of [
        `state?at=${at}`,
        `export?format=markdown&at=${at}`,
        `export?format=json&at=${at}`,
      ]) {
        const answer = await server.api("GET", `/api/incidents/${key}/${route}`);
        expect(answer.status, route).toBe(410);
        expect(answer.body.error, route).toMatchObject({
          code: "history_compacted",
          message: expect.stringContaining(new Date(base).toISOString()),
        });
      }
    }

    const texts = async (instant: number) => {
      const response = await fetch(
        `${server.url}/api/incidents/${key}/state?at=${encodeURIComponent(new Date(instant).toISOString())}`,
        { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
      );
      expect(response.status).toBe(200);
      return readIncident(docOf(new Uint8Array(await response.arrayBuffer()))).timeline.map(
        (e) => e.text,
      );
    };
    const atBase = await texts(base);
    expect(atBase).toContain("old entry 11");
    expect(atBase).not.toContain("old entry 12");
    const between = await texts(base + 3 * minute);
    expect(between).toContain("old entry 12");
    expect(between).not.toContain("old entry 13");
    expect(between).not.toContain("written today");
    expect(await texts(Date.now())).toContain("written today");
    const exported = await server.api(
      "GET",
      `/api/incidents/${key}/export?format=json&at=${encodeURIComponent(new Date(base + 3 * minute).toISOString())}`,
    );
    expect(exported.status).toBe(200);
    expect(exported.body.timeline.map((e: { text: string }) => e.text)).toContain("old entry 12");
  });
});
