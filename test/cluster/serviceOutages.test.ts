import type { HocuspocusProvider } from "@hocuspocus/provider";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { connectProvider, whenAcknowledged, whenDoc, whenSynced } from "../helpers/clients.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { TEST_DATABASE_URL } from "../helpers/postgresSchema.ts";
import { startPrivatePostgres } from "../helpers/privatePostgres.ts";
import { startPrivateRedis } from "../helpers/privateRedis.ts";
import { callApi, TEST_TOKEN } from "../helpers/testServer.ts";

const SHARED_REDIS = "redis://127.0.0.1:6379";
const CLIENTS_PER_PROCESS = 3;
/** Each client appends an entry every TYPE_MS. */
const TYPE_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (t: number) => Math.round(performance.now() - t);

/** A client on one process, writing numbered entries, with each entry's acknowledgement time. */
interface Writer {
  name: string;
  process: number;
  provider: HocuspocusProvider;
  written: string[];
  /** When each of `written` was acknowledged (made before the provider last reported 0 unsynced). */
  ackedAt: number[];
  closes: string[];
  /** Reasons the server gave for refusing its connection. */
  refusals: string[];
}

function connectWriter(cluster: Cluster, key: string, process: number, index: number): Writer {
  const provider = connectProvider(cluster.processes[process]!.wsUrl, key, TEST_TOKEN);
  const w: Writer = {
    name: `p${process + 1}c${index}`,
    process,
    provider,
    written: [],
    ackedAt: [],
    closes: [],
    refusals: [],
  };
  provider.on("unsyncedChanges", ({ number }: { number: number }) => {
    if (number !== 0) return;
    const now = performance.now();
    while (w.ackedAt.length < w.written.length) w.ackedAt.push(now);
  });
  provider.on("authenticationFailed", ({ reason }: { reason: string }) => {
    w.refusals.push(reason);
  });
  provider.on("close", ({ event }: { event: { code: number; reason: string } }) => {
    w.closes.push(`${event.code} ${event.reason}`.trim());
  });
  return w;
}

/**
 * CLIENTS_PER_PROCESS writers on each of the two processes, added to `writers` (which the
 * test cleans up) as they connect; resolves once all are synced.
 */
async function connectWriters(cluster: Cluster, key: string, writers: Writer[]): Promise<void> {
  for (const process of [0, 1])
    for (let i = 0; i < CLIENTS_PER_PROCESS; i++)
      writers.push(connectWriter(cluster, key, process, i));
  await Promise.all(writers.map((w) => whenSynced(w.provider)));
}

async function declare(url: string, summary: string, severity: number): Promise<string> {
  const created = await callApi(url, "POST", "/api/incidents", { summary, severity });
  expect(created.status).toBe(201);
  return created.body.key as string;
}

/** Every writer appends an entry every TYPE_MS until the returned stop is called. */
function keepTyping(writers: Writer[]): () => Promise<void> {
  let stopped = false;
  const loops = writers.map(async (w, i) => {
    await sleep((i * TYPE_MS) / writers.length);
    while (!stopped) {
      const text = `${w.name} e${w.written.length}`;
      w.written.push(text);
      appendTimelineEntry(w.provider.document, { author: w.name, text, kind: "note" });
      await sleep(TYPE_MS);
    }
  });
  return async () => {
    stopped = true;
    await Promise.all(loops);
  };
}

const texts = (doc: Y.Doc) => new Set(readTimeline(doc).map((e) => e.text));

async function health(url: string): Promise<{ status: number; body: any }> {
  return callApi(url, "GET", "/healthz", undefined, null);
}

/** The incident as stored (what a fresh process would load), not any process's memory. */
async function storedTexts(stores: Stores, key: string): Promise<Set<string>> {
  const doc = new Y.Doc();
  const state = await stores.log.loadState(key);
  if (state) Y.applyUpdate(doc, state);
  return texts(doc);
}

describe("service outages under two processes", () => {
  it("Redis down for 10 s: each process serves its own clients, /healthz says degraded, and both sides converge once it is back", async () => {
    const redis = await startPrivateRedis();
    let cluster: Cluster | null = null;
    const writers: Writer[] = [];
    let stopTyping = async () => {};
    try {
      cluster = await startCluster({
        processes: 2,
        databaseUrl: TEST_DATABASE_URL,
        redisUrl: redis.url,
      });
      const [p1, p2] = cluster.processes as [Cluster["processes"][0], Cluster["processes"][0]];
      const key = await declare(p1.url, "Redis outage", 2);
      await connectWriters(cluster, key, writers);
      const of = (process: number) => writers.filter((w) => w.process === process);

      // Fan-out works before the outage: an entry written on one process reaches the other's clients.
      stopTyping = keepTyping(writers);
      await sleep(1000);
      const probe = of(0)[0]!.written[0]!;
      await Promise.all(of(1).map((w) => whenDoc(w.provider.document, (d) => texts(d).has(probe))));

      await redis.stop();
      const stoppedAt = performance.now();
      const writtenBefore = writers.map((w) => w.written.length);
      // Both processes notice, and say so without failing their health check.
      let degradedAfterMs = 0;
      for (const p of [p1, p2]) {
        for (;;) {
          const { status, body } = await health(p.url);
          if (body.redis?.ok === false) {
            expect(status).toBe(200);
            break;
          }
          expect(since(stoppedAt)).toBeLessThan(5000);
          await sleep(50);
        }
        degradedAfterMs = Math.max(degradedAfterMs, since(stoppedAt));
      }
      // For the rest of the outage every answer is 200 "degraded", with the store fine.
      const healthChecks: number[] = [];
      while (since(stoppedAt) < 10_000) {
        for (const p of [p1, p2]) {
          const { status, body } = await health(p.url);
          expect(status).toBe(200);
          expect(body).toMatchObject({
            status: "degraded",
            redis: { ok: false },
            store: { ok: true },
          });
          healthChecks.push(status);
        }
        await sleep(500);
      }
      // Meanwhile each process served its own clients: they saw each other's outage entries
      // and had them acknowledged (stored by their own process).
      const outageEntries = (process: number) =>
        of(process).flatMap((w) => w.written.slice(writtenBefore[writers.indexOf(w)]));
      for (const process of [0, 1]) {
        const own = outageEntries(process);
        expect(own.length).toBeGreaterThan(CLIENTS_PER_PROCESS * 20);
        await Promise.all(
          of(process).map((w) =>
            whenDoc(w.provider.document, (d) => {
              const seen = texts(d);
              return own.every((t) => seen.has(t));
            }),
          ),
        );
      }
      const ackedDuringOutage = writers.reduce(
        (n, w) => n + w.ackedAt.filter((t) => t > stoppedAt).length,
        0,
      );
      expect(ackedDuringOutage).toBeGreaterThan(0);
      // What crossed over while Redis was down (nothing carries updates between them then).
      const crossedDuringOutage = of(1).map(
        (w) => outageEntries(0).filter((t) => texts(w.provider.document).has(t)).length,
      );

      await redis.start();
      const restartedAt = performance.now();
      await stopTyping();
      const all = writers.flatMap((w) => w.written);
      await Promise.all(
        writers.map((w) =>
          whenDoc(
            w.provider.document,
            (d) => {
              const seen = texts(d);
              return all.every((t) => seen.has(t));
            },
            10_000,
          ),
        ),
      );
      const convergedMs = since(restartedAt);
      expect(convergedMs).toBeLessThan(5000);
      for (const p of [p1, p2]) {
        for (;;) {
          const { body } = await health(p.url);
          if (body.status === "ok") break;
          expect(since(restartedAt)).toBeLessThan(5000);
          await sleep(50);
        }
      }
      const healthyMs = since(restartedAt);

      await Promise.all(writers.map((w) => whenAcknowledged(w.provider)));
      const reader = await openPostgresStores({ url: TEST_DATABASE_URL, schema: cluster.schema });
      const stored = await storedTexts(reader, key).finally(() => reader.close());
      expect(all.filter((t) => !stored.has(t))).toEqual([]);
      const closes = writers.flatMap((w) => w.closes);
      expect(closes).toEqual([]);
      console.log(
        `FIGURES ${JSON.stringify({
          test: "redis-outage",
          outageMs: Math.round(restartedAt - stoppedAt),
          degradedReportedAfterMs: degradedAfterMs,
          healthChecksDuringOutage: healthChecks.length,
          entriesWritten: all.length,
          writtenDuringOutage: outageEntries(0).length + outageEntries(1).length,
          ackedDuringOutage,
          crossedDuringOutage,
          convergedAfterRedisBackMs: convergedMs,
          healthzOkAfterMs: healthyMs,
          stored: all.filter((t) => stored.has(t)).length,
          socketCloses: closes.length,
        })}`,
      );
    } finally {
      await stopTyping();
      for (const w of writers) w.provider.destroy();
      await cluster?.destroy();
      await redis.destroy();
    }
  }, 60_000);

  it("PostgreSQL down: nothing unstored is acknowledged, writes get typed 503s, /healthz 503, and everything lands once it is back", async () => {
    const db = await startPrivatePostgres();
    let cluster: Cluster | null = null;
    const writers: Writer[] = [];
    let stopTyping = async () => {};
    let reader: Stores | null = null;
    try {
      cluster = await startCluster({
        processes: 2,
        databaseUrl: db.url,
        redisUrl: SHARED_REDIS,
        env: SECRETS,
      });
      const [p1, p2] = cluster.processes as [Cluster["processes"][0], Cluster["processes"][0]];
      const key = await declare(p1.url, "Database outage", 1);
      const channel = "C0PGDOWN";
      expect(
        (
          await callApi(p1.url, "POST", `/api/incidents/${key}/channels`, {
            platform: "slack",
            channel,
          })
        ).status,
      ).toBe(201);
      await connectWriters(cluster, key, writers);

      /** REST and chat writes: the text, the process, the answer. */
      const outside: { text: string; via: string; status: number; body: any }[] = [];
      const seconds = Math.floor(Date.now() / 1000);
      let n = 0;
      const writeOutside = async () => {
        const i = n++;
        const p = [p1, p2][i % 2]!;
        const rest = `rest ${i}`;
        const r = await callApi(p.url, "POST", `/api/incidents/${key}/timeline`, { text: rest });
        outside.push({ text: rest, via: "rest", status: r.status, body: r.body });
        const chat = `chat ${i}`;
        const hook = slackSigned(
          slackMessage(channel, "U0DBA", chat, `${seconds}.${String(i).padStart(6, "0")}`),
        );
        const c = await deliver(p.url, hook);
        outside.push({ text: chat, via: "slack", status: c.status, body: c.body });
      };

      stopTyping = keepTyping(writers);
      for (let i = 0; i < 4; i++) {
        await writeOutside();
        await sleep(200);
      }
      expect(outside.map((o) => o.status)).toEqual([201, 200, 201, 200, 201, 200, 201, 200]);

      // Opened now, so reading the store the moment it is back costs no connection setup.
      reader = await openPostgresStores({ url: db.url, schema: cluster.schema });
      await db.stop();
      const stoppedAt = performance.now();
      const before = outside.length;
      let unhealthyAfterMs = 0;
      for (const p of [p1, p2]) {
        for (;;) {
          const { status, body } = await health(p.url);
          if (status === 503) {
            expect(body.store.ok).toBe(false);
            break;
          }
          expect(status).toBe(200);
          expect(since(stoppedAt)).toBeLessThan(5000);
          await sleep(50);
        }
        unhealthyAfterMs = Math.max(unhealthyAfterMs, since(stoppedAt));
      }
      while (since(stoppedAt) < 5000) {
        await writeOutside();
        for (const p of [p1, p2]) {
          const { status, body } = await health(p.url);
          expect(status).toBe(503);
          expect(body.store.ok).toBe(false);
        }
        await sleep(300);
      }
      const duringOutage = outside.slice(before);
      // Refused with a typed 503, never another 5xx, never a 2xx.
      for (const answer of duringOutage) {
        expect(answer.status, JSON.stringify(answer)).toBe(503);
        expect(answer.body.error.code, JSON.stringify(answer)).toBe("store_unavailable");
      }

      const ackedBeforeRestart = writers.flatMap((w) => w.written.slice(0, w.ackedAt.length));
      const ackedDuringOutage = writers.reduce(
        (n, w) => n + w.ackedAt.filter((t) => t > stoppedAt).length,
        0,
      );
      await db.start();
      const restartedAt = performance.now();
      // At once, before clients can have resent anything: all they were told is stored, is.
      const storedAtRestart = await storedTexts(reader, key);
      const readAtRestartMs = since(restartedAt);
      // (A client synced again by now could have resent what it held, which would hide a
      // false acknowledgement from this read; how many had is a figure.)
      const syncedBeforeRead = writers.filter((w) => w.provider.isSynced).length;
      expect(ackedBeforeRestart.filter((t) => !storedAtRestart.has(t))).toEqual([]);
      for (const answer of outside.slice(0, before))
        expect(storedAtRestart.has(answer.text), answer.text).toBe(true);

      // Service resumes by itself: REST, chat and the clients' own acknowledgements.
      let resumedMs = 0;
      for (let attempt = 0; ; attempt++) {
        const text = `rest resuming ${attempt}`;
        const r = await callApi(p2.url, "POST", `/api/incidents/${key}/timeline`, { text });
        if (r.status === 201) {
          outside.push({ text, via: "rest", status: 201, body: r.body });
          resumedMs = since(restartedAt);
          break;
        }
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(since(restartedAt)).toBeLessThan(10_000);
        await sleep(100);
      }
      const writtenAtRestart = writers.map((w) => w.written.length);
      await Promise.all(
        writers.map((w, i) =>
          (async () => {
            while (w.ackedAt.length <= (writtenAtRestart[i] ?? 0)) {
              expect(since(restartedAt), `${w.name} acknowledged again`).toBeLessThan(15_000);
              await sleep(20);
            }
          })(),
        ),
      );
      const clientsResumedMs = since(restartedAt);
      for (const p of [p1, p2]) expect((await health(p.url)).status).toBe(200);
      await writeOutside();
      await sleep(1000);
      await stopTyping();
      await Promise.all(writers.map((w) => whenAcknowledged(w.provider, 20_000)));

      // Refused meanwhile only as "store unavailable", which clients retry (any other reason
      // makes the web client stop for good).
      const refusals = writers.flatMap((w) => w.refusals);
      expect(refusals.filter((r) => r !== "store-unavailable")).toEqual([]);

      // In the end everything anyone wrote, and everything answered 2xx, is stored.
      const stored = await storedTexts(reader, key);
      const all = writers.flatMap((w) => w.written);
      expect(all.filter((t) => !stored.has(t))).toEqual([]);
      const answered = outside.filter((o) => o.status >= 200 && o.status < 300);
      expect(answered.filter((o) => !stored.has(o.text))).toEqual([]);
      const closes: Record<string, number> = {};
      for (const reason of writers.flatMap((w) => w.closes))
        closes[reason] = (closes[reason] ?? 0) + 1;
      console.log(
        `FIGURES ${JSON.stringify({
          test: "postgres-outage",
          outageMs: Math.round(restartedAt - stoppedAt),
          healthz503AfterMs: unhealthyAfterMs,
          writesRefusedDuringOutage: duringOutage.length,
          refusedStatuses: [...new Set(duringOutage.map((o) => o.status))],
          ackedBeforeRestart: ackedBeforeRestart.length,
          ackedDuringOutage,
          ackedStoredAtRestart: ackedBeforeRestart.filter((t) => storedAtRestart.has(t)).length,
          storeReadAfterRestartMs: readAtRestartMs,
          clientsSyncedBeforeThatRead: syncedBeforeRead,
          restResumedAfterMs: resumedMs,
          clientsAckingAgainAfterMs: clientsResumedMs,
          entriesWritten: all.length,
          entriesStored: all.filter((t) => stored.has(t)).length,
          outside2xx: answered.length,
          outside2xxStored: answered.filter((o) => stored.has(o.text)).length,
          refusals: refusals.length,
          socketCloses: closes,
        })}`,
      );
    } finally {
      await stopTyping();
      for (const w of writers) w.provider.destroy();
      await reader?.close().catch(() => undefined);
      await cluster?.destroy().catch(() => undefined);
      await db.destroy();
    }
  }, 60_000);
});
