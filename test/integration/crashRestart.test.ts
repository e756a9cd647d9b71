import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, initIncident, readTimeline } from "#shared/doc/index.ts";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import { type ChildServer, killAll, spawnServer } from "../helpers/childServer.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import { callApi, TEST_TOKEN, tempDataDir } from "../helpers/testServer.ts";

/** What an incident looked like after repeated crashes: no checkpoint and this many loose updates. */
const LOOSE_UPDATES = 12_000;
const WRITERS = 4;
/**
 * Bounds as ratios to a baseline measured in the same run: the same writer's first
 * acknowledgement from a fresh server on the same document once it is checkpointed (a
 * clean start). The first writer measures the server (load, apply, append, ack) plus
 * one client applying the 2.8 MB document; the old code spent 2.7 s in a quadratic
 * Y.mergeUpdates over 12,000 updates on the event loop, several times a clean start.
 * The other writers join at once; their figure also counts this test's own event loop
 * applying the document once per in-process client, one after another.
 */
const MAX_FIRST_ACK_RATIO = 2.5;
const MAX_ALL_ACK_RATIO = 4;

/**
 * Writes an incident into the store the way a server that crashed before ever
 * compacting leaves it: the creation and then one stored update per timeline entry.
 */
async function incidentWithLongTail(dataDir: string): Promise<string> {
  const stores = await openSqliteStores(dataDir);
  try {
    const key = await stores.incidents.createIncident("HOT");
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    initIncident(doc, {
      key,
      summary: "Crashed repeatedly",
      severity: 1,
      actor: { name: "test", source: "api" },
    });
    for (let i = 0; updates.length < LOOSE_UPDATES; i++) {
      // Short chat lines: what makes the load slow is the count of updates, not their size,
      // and a small document keeps the eight in-process clients' own sync out of the figure.
      appendTimelineEntry(doc, { author: "chat", text: `message ${i}: error rate climbing` });
    }
    for (const update of updates) await stores.log.appendUpdate(key, update, "test");
    return key;
  } finally {
    await stores.close();
  }
}

describe("fast start after a crash", () => {
  const providers: HocuspocusProvider[] = [];
  const children: ChildServer[] = [];
  afterEach(async () => {
    providers.splice(0).forEach((p) => {
      p.destroy();
    });
    await killAll(children);
  });

  it("after a restart on 12,000 loose updates, writers get their first acknowledgement within the bound, and the next start is checkpointed", async () => {
    const dataDir = tempDataDir();
    const key = await incidentWithLongTail(dataDir);

    const server = await spawnServer(dataDir);
    children.push(server);
    const firstAck = async (w: number) => {
      const started = performance.now();
      const writer = connectProvider(server.wsUrl, key, TEST_TOKEN);
      providers.push(writer);
      await whenSynced(writer, 30_000);
      appendTimelineEntry(writer.document, {
        author: `writer ${w}`,
        text: `first write after the crash ${w}`,
      });
      await whenAcknowledged(writer, 30_000);
      return performance.now() - started;
    };
    const firstWriterAckMs = Math.round(await firstAck(0));
    const others = await Promise.all(
      Array.from({ length: WRITERS - 1 }, (_, w) => firstAck(w + 1)),
    );
    const figures = {
      looseUpdates: LOOSE_UPDATES,
      firstWriterAckMs,
      otherWritersMaxAckMs: Math.round(Math.max(...others)),
    };
    console.info("time to first ack after a crash", figures);
    expect(readTimeline(providers[0].document).length).toBeGreaterThanOrEqual(LOOSE_UPDATES);

    // Crash again: the load itself must have left a checkpoint, so the tail is short now.
    server.child.kill("SIGKILL");
    await server.exited;
    for (const p of providers.splice(0)) p.destroy();
    const stores = await openSqliteStores(dataDir);
    let tail: number;
    try {
      tail = stores.log.looseUpdates(key);
    } finally {
      await stores.close();
    }
    const again = await spawnServer(dataDir);
    children.push(again);
    const checkpointedStart = performance.now();
    const baseline = connectProvider(again.wsUrl, key, TEST_TOKEN);
    providers.push(baseline);
    await whenSynced(baseline, 30_000);
    appendTimelineEntry(baseline.document, { author: "baseline", text: "after a clean start" });
    await whenAcknowledged(baseline, 30_000);
    const cleanStartAckMs = Math.round(performance.now() - checkpointedStart);
    console.info("time to first ack after a clean start", { cleanStartAckMs });
    const body = (await callApi(again.url, "GET", `/api/incidents/${key}`)).body;
    const texts = new Set(body.timeline.map((e: { text: string }) => e.text));
    for (let w = 0; w < WRITERS; w++)
      expect(texts.has(`first write after the crash ${w}`), `writer ${w}`).toBe(true);

    expect(figures.firstWriterAckMs).toBeLessThan(MAX_FIRST_ACK_RATIO * cleanStartAckMs);
    expect(figures.otherWritersMaxAckMs).toBeLessThan(MAX_ALL_ACK_RATIO * cleanStartAckMs);
    expect(tail).toBeLessThanOrEqual(WRITERS);
  }, 90_000);
});
