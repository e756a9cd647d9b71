import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import type { Stores, UpdateLogStore } from "../../server/storage/stores.ts";
import { connectProvider, whenAcknowledged, whenDoc, whenSynced } from "../helpers/clients.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

/**
 * Faults to switch on: the next appends fail, as a full disk would; appends wait for
 * `stall` to settle, as a disk whose flush hangs would; pings fail, as a store that no
 * longer answers would.
 */
interface Faults {
  failNextAppends: number;
  stall: Promise<void> | null;
  down: boolean;
}

/** The real SQLite stores, with the update log and the ping wrapped so that `faults` can break them. */
async function openFaultyStores(dataDir: string): Promise<{ stores: Stores; faults: Faults }> {
  const real = await openSqliteStores(dataDir);
  const faults: Faults = { failNextAppends: 0, stall: null, down: false };
  const log: UpdateLogStore = {
    async appendUpdate(doc, update, origin, at) {
      if (faults.stall) await faults.stall;
      if (faults.failNextAppends > 0) {
        faults.failNextAppends--;
        throw new Error("SQLITE_FULL: database or disk is full");
      }
      return real.log.appendUpdate(doc, update, origin, at);
    },
    loadState: (doc, options) => real.log.loadState(doc, options),
    loadParts: (doc, options) => real.log.loadParts(doc, options),
    compact: (doc, options) => real.log.compact(doc, options),
    historyStart: (doc) => real.log.historyStart(doc),
    listDocuments: () => real.log.listDocuments(),
  };
  const stores: Stores = {
    kind: real.kind,
    log,
    incidents: real.incidents,
    tokens: real.tokens,
    sessions: real.sessions,
    people: real.people,
    chat: real.chat,
    settings: real.settings,
    schemaVersion: () => real.schemaVersion(),
    async ping() {
      if (faults.down) throw new Error("SQLITE_IOERR: disk I/O error");
      return real.ping();
    },
    close: () => real.close(),
  };
  return { stores, faults };
}

describe("a write the store refuses is never acknowledged", () => {
  const servers: TestServer[] = [];
  const providers: HocuspocusProvider[] = [];
  afterEach(async () => {
    providers.splice(0).forEach((p) => {
      p.destroy();
    });
    for (const server of servers.splice(0)) await server.close();
  });

  async function restartAndRead(dataDir: string, key: string): Promise<string[]> {
    const again = await startTestServer({ dataDir });
    servers.push(again);
    return (await again.api("GET", `/api/incidents/${key}`)).body.timeline.map(
      (e: { text: string }) => e.text,
    );
  }

  it("over REST: the failed write answers 503, and its retry is stored for real", async () => {
    const dataDir = tempDataDir();
    const { stores, faults } = await openFaultyStores(dataDir);
    const server = await startTestServer({ dataDir, stores });
    const key = (await server.api("POST", "/api/incidents", { summary: "Disk full", severity: 2 }))
      .body.key;
    faults.failNextAppends = 1;
    const failed = await server.api("POST", `/api/incidents/${key}/timeline`, {
      id: "e1",
      text: "must not be lost",
    });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe("store_unavailable");
    const retried = await server.api("POST", `/api/incidents/${key}/timeline`, {
      id: "e1",
      text: "must not be lost",
    });
    expect(retried.status).toBe(201);
    await server.close();
    expect(
      (await restartAndRead(dataDir, key)).filter((t) => t === "must not be lost"),
    ).toHaveLength(1);
  });

  it("over the websocket: no ack, the connection closes, and the client's resend after reconnecting is stored", async () => {
    const dataDir = tempDataDir();
    const { stores, faults } = await openFaultyStores(dataDir);
    const server = await startTestServer({ dataDir, stores });
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Disk full again", severity: 2 })
    ).body.key;
    const provider = connectProvider(server.wsUrl, key, server.token);
    providers.push(provider);
    await whenSynced(provider);
    faults.failNextAppends = 1;
    appendTimelineEntry(provider.document, {
      author: "Ana",
      text: "written while the disk was full",
    });
    await whenAcknowledged(provider, 20_000);
    expect(
      readTimeline(provider.document).some((e) => e.text === "written while the disk was full"),
    ).toBe(true);
    provider.destroy();
    await server.close();
    expect(await restartAndRead(dataDir, key)).toContain("written while the disk was full");
  }, 40_000);
});

describe("a writer whose own write is not yet durable", () => {
  it("sees the others' edits at once, while its acknowledgement waits for the store", async () => {
    const dataDir = tempDataDir();
    const { stores, faults } = await openFaultyStores(dataDir);
    const server = await startTestServer({ dataDir, stores });
    const key = (await server.api("POST", "/api/incidents", { summary: "Slow disk", severity: 2 }))
      .body.key;
    const alice = connectProvider(server.wsUrl, key, server.token);
    const bob = connectProvider(server.wsUrl, key, server.token);
    let flush = () => {};
    try {
      await Promise.all([whenSynced(alice), whenSynced(bob)]);
      faults.stall = new Promise<void>((resolve) => {
        flush = resolve;
      });
      appendTimelineEntry(alice.document, { author: "Alice", text: "written as the disk hung" });
      appendTimelineEntry(bob.document, { author: "Bob", text: "Bob's line, meanwhile" });
      // Bob's edit reaches Alice although neither write is durable yet...
      await whenDoc(
        alice.document,
        (doc) => readTimeline(doc).some((e) => e.text === "Bob's line, meanwhile"),
        5000,
      );
      // ...and nobody has been told their write is stored.
      expect(alice.hasUnsyncedChanges).toBe(true);
      expect(bob.hasUnsyncedChanges).toBe(true);
      faults.stall = null;
      flush();
      await Promise.all([whenAcknowledged(alice), whenAcknowledged(bob)]);
    } finally {
      // Unblocks the store whatever happened, so the server can close.
      faults.stall = null;
      flush();
      alice.destroy();
      bob.destroy();
      await server.close();
    }
    const again = await startTestServer({ dataDir });
    try {
      const texts = (await again.api("GET", `/api/incidents/${key}`)).body.timeline.map(
        (e: { text: string }) => e.text,
      );
      expect(texts).toEqual(
        expect.arrayContaining(["written as the disk hung", "Bob's line, meanwhile"]),
      );
    } finally {
      await again.close();
    }
  }, 40_000);
});

describe("/healthz says when the store is down", () => {
  it("answers 503 with the store's error while it does not answer, and 200 again once it does", async () => {
    const dataDir = tempDataDir();
    const { stores, faults } = await openFaultyStores(dataDir);
    const server = await startTestServer({ dataDir, stores });
    try {
      const healthy = await server.api("GET", "/healthz", undefined, null);
      expect(healthy.status).toBe(200);
      expect(healthy.body).toMatchObject({ status: "ok", store: { kind: "sqlite", ok: true } });

      faults.down = true;
      const down = await server.api("GET", "/healthz", undefined, null);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: "degraded",
        store: { kind: "sqlite", ok: false, error: expect.stringContaining("SQLITE_IOERR") },
      });

      faults.down = false;
      expect((await server.api("GET", "/healthz", undefined, null)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
