import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { SqliteStore } from "../../server/storage/SqliteStore.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

/**
 * The real SQLite store with faults we can switch on: the next appends fail, as a full
 * disk would; pings fail, as a store that no longer answers would.
 */
class FaultyStore extends SqliteStore {
  failNextAppends = 0;
  down = false;
  override async ping(): Promise<void> {
    if (this.down) throw new Error("SQLITE_IOERR: disk I/O error");
    return super.ping();
  }
  override async appendUpdate(
    doc: string,
    update: Uint8Array,
    origin: string,
    at?: number,
  ): Promise<number> {
    if (this.failNextAppends > 0) {
      this.failNextAppends--;
      throw new Error("SQLITE_FULL: database or disk is full");
    }
    return super.appendUpdate(doc, update, origin, at);
  }
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
    const store = new FaultyStore(dataDir);
    const server = await startTestServer({ dataDir, store });
    const key = (await server.api("POST", "/api/incidents", { summary: "Disk full", severity: 2 }))
      .body.key;
    store.failNextAppends = 1;
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
    const store = new FaultyStore(dataDir);
    const server = await startTestServer({ dataDir, store });
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Disk full again", severity: 2 })
    ).body.key;
    const provider = connectProvider(server.wsUrl, key, server.token);
    providers.push(provider);
    await whenSynced(provider);
    store.failNextAppends = 1;
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

describe("/healthz says when the store is down", () => {
  it("answers 503 with the store's error while it does not answer, and 200 again once it does", async () => {
    const dataDir = tempDataDir();
    const store = new FaultyStore(dataDir);
    const server = await startTestServer({ dataDir, store });
    try {
      const healthy = await server.api("GET", "/healthz", undefined, null);
      expect(healthy.status).toBe(200);
      expect(healthy.body).toMatchObject({ status: "ok", store: { kind: "sqlite", ok: true } });

      store.down = true;
      const down = await server.api("GET", "/healthz", undefined, null);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: "degraded",
        store: { kind: "sqlite", ok: false, error: expect.stringContaining("SQLITE_IOERR") },
      });

      store.down = false;
      expect((await server.api("GET", "/healthz", undefined, null)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
