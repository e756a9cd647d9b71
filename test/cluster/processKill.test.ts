import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, editTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { connectProvider, whenAcknowledged, whenDoc, whenSynced } from "../helpers/clients.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { TEST_DATABASE_URL } from "../helpers/postgresSchema.ts";
import { callApi, TEST_TOKEN } from "../helpers/testServer.ts";

const SHARED_REDIS = "redis://127.0.0.1:6379";
const CLIENTS = 20;
const CHANNEL = "C0PROCKILL";
/**
 * Typing comes in bursts: BURST_TICKS ticks TICK_MS apart, every client writing once per
 * tick, then PAUSE_MS of quiet. Kill points are set in bursts and ticks, not wall time, so
 * a loaded machine still kills where it means to.
 */
const BURST_TICKS = 6;
const TICK_MS = 40;
const PAUSE_MS = 600;
/** A chat message goes out every CHAT_MS; a failed one is retried, as Slack does. */
const CHAT_MS = 100;
const CHAT_ATTEMPTS = 4;
/** How long clients keep typing after the kill (the victims reconnect within it). */
const AFTER_KILL_MS = 2500;

/** Where in a round the kill lands: right after tick `tick` of burst `burst` was sent, plus `waitMs`. */
const KILL_POINTS = [
  { name: "early", burst: 0, tick: 1, waitMs: 0 },
  { name: "mid-burst", burst: 2, tick: 3, waitMs: 0 },
  { name: "right-after-burst", burst: 2, tick: BURST_TICKS - 1, waitMs: 10 },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (t: number) => Math.round(performance.now() - t);

/** One editor: appends numbered entries and now and then edits its own status entry. */
interface Typist {
  index: number;
  provider: HocuspocusProvider;
  /** Texts of the entries it appended, in order. */
  written: string[];
  /** How many of `written` were acknowledged: made before the provider last reported 0 unsynced. */
  acked: number;
  /** Version of its status entry last written, and the last one acknowledged. */
  status: number;
  ackedStatus: number;
  /** When its socket dropped (null while connected), and each drop → synced-again span. */
  downSince: number | null;
  failovers: number[];
  /** Why each of its sockets closed ("code reason"). */
  closes: string[];
}

interface Kill {
  victim: number;
  /** Sockets per process as the burst began. */
  before: number[];
  /** Per typist: the entries and status version acknowledged when the kill was sent. */
  acked: { entries: string[]; status: number }[];
  at: number;
  done: Promise<void>;
}

const statusId = (index: number) => `status-c${index}`;
const statusText = (index: number, version: number) => `c${index} status v${version}`;
/** The version of typist `index`'s status entry among `texts` (-1 when absent). */
function statusVersion(texts: string[], index: number): number {
  const prefix = `c${index} status v`;
  const text = texts.find((t) => t.startsWith(prefix));
  return text ? Number(text.slice(prefix.length)) : -1;
}

describe("SIGKILL of a process under load, behind HAProxy", () => {
  let cluster: Cluster;
  let stores: Stores;
  let key: string;
  const typists: Typist[] = [];
  /** Ends the running round's typing and chat (also when a check failed mid-round). */
  let stopLoad = () => {};

  beforeAll(async () => {
    cluster = await startCluster({
      processes: 3,
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: SHARED_REDIS,
      env: SECRETS,
    });
    // The store itself, read as a fresh process would load it (not any process's memory).
    stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema: cluster.schema });
  }, 60_000);
  afterAll(async () => {
    stopLoad();
    for (const t of typists) t.provider.destroy();
    await stores?.close();
    await cluster?.destroy();
  });

  /**
   * The timeline as stored, and what the stored log lacks to integrate the rest: Yjs
   * holds back every struct after a gap in a client's clock, so one unstored update
   * hides everything its writer stored after it.
   */
  async function stored(): Promise<{ texts: string[]; gaps: string[] }> {
    const state = await stores.log.loadState(key);
    const doc = new Y.Doc();
    if (state) Y.applyUpdate(doc, state);
    const texts = readTimeline(doc).map((e) => e.text);
    const gaps = [...(doc.store.pendingStructs?.missing ?? new Map<number, number>())].map(
      ([client, clock]) => {
        const typist = typists.find((t) => t.provider.document.clientID === client);
        return `${typist ? `c${typist.index}` : `client ${client}`} lacks clock ${clock}`;
      },
    );
    doc.destroy();
    return { texts, gaps };
  }

  async function connections(): Promise<number[]> {
    return Promise.all(
      cluster.processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return -1;
        return (await callApi(p.url, "GET", "/healthz", undefined, null)).body.connections;
      }),
    );
  }

  function connectTypist(index: number): Typist {
    const provider = connectProvider(cluster.proxy.wsUrl, key, TEST_TOKEN);
    const t: Typist = {
      index,
      provider,
      written: [],
      acked: 0,
      status: 0,
      ackedStatus: 0,
      downSince: null,
      failovers: [],
      closes: [],
    };
    provider.on("unsyncedChanges", ({ number }: { number: number }) => {
      if (number !== 0) return;
      t.acked = t.written.length;
      t.ackedStatus = t.status;
    });
    provider.on("close", ({ event }: { event: { code: number; reason: string } }) => {
      t.closes.push(`${event.code} ${event.reason}`.trim());
    });
    provider.on("disconnect", () => {
      t.downSince ??= performance.now();
    });
    provider.on("synced", () => {
      if (t.downSince === null) return;
      t.failovers.push(since(t.downSince));
      t.downSince = null;
    });
    typists.push(t);
    return t;
  }

  /** One keystroke's worth: every fourth is an edit of the typist's status entry. */
  function type(t: Typist): void {
    const doc = t.provider.document;
    if ((t.written.length + t.status) % 4 === 3) {
      t.status++;
      editTimelineEntry(doc, statusId(t.index), statusText(t.index, t.status));
      return;
    }
    const text = `c${t.index} e${t.written.length}`;
    t.written.push(text);
    appendTimelineEntry(doc, { author: `Typist ${t.index}`, text, kind: "note" });
  }

  it("keeps every acknowledged update and every answered chat message through three SIGKILLs", async () => {
    const created = await callApi(cluster.proxy.url, "POST", "/api/incidents", {
      summary: "Payments API failing over",
      severity: 1,
    });
    expect(created.status).toBe(201);
    key = created.body.key;
    const linked = await callApi(cluster.proxy.url, "POST", `/api/incidents/${key}/channels`, {
      platform: "slack",
      channel: CHANNEL,
    });
    expect(linked.status).toBe(201);

    for (let i = 0; i < CLIENTS; i++) connectTypist(i);
    await Promise.all(typists.map((t) => whenSynced(t.provider, 15_000)));
    for (const t of typists)
      appendTimelineEntry(t.provider.document, {
        id: statusId(t.index),
        author: `Typist ${t.index}`,
        text: statusText(t.index, 0),
        kind: "note",
      });
    await Promise.all(typists.map((t) => whenAcknowledged(t.provider)));
    const spread = await connections();
    // leastconn spreads the sockets; each process has some to lose.
    expect(spread.every((n) => n > 0)).toBe(true);

    /** Chat messages by text: whether any attempt was answered 2xx, and every status seen. */
    const chat = new Map<string, { ok: boolean; statuses: number[] }>();
    const chatSeconds = Math.floor(Date.now() / 1000);
    let chatSeq = 0;
    const figures = {
      rounds: [] as Record<string, unknown>[],
      killsSurvived: 0,
    };

    for (const [round, point] of KILL_POINTS.entries()) {
      let stopped = false;
      stopLoad = () => {
        stopped = true;
      };
      const start = performance.now();
      let killed!: (kill: Kill) => void;
      const kill = new Promise<Kill>((resolve) => {
        killed = resolve;
      });
      const typing = (async () => {
        for (let burst = 0; !stopped; burst++) {
          // The victim is chosen as the burst starts: the process holding the most sockets.
          const before = burst === point.burst ? await connections() : null;
          for (let tick = 0; tick < BURST_TICKS && !stopped; tick++) {
            for (const t of typists) type(t);
            if (before && tick === point.tick) {
              if (point.waitMs > 0) await sleep(point.waitMs);
              const victim = before.indexOf(Math.max(...before));
              // What had been acknowledged when the kill was sent, by the dead process too.
              const acked = typists.map((t) => ({
                entries: t.written.slice(0, t.acked),
                status: t.ackedStatus,
              }));
              killed({ victim, before, acked, at: performance.now(), done: cluster.kill(victim) });
            }
            await sleep(TICK_MS);
          }
          await sleep(PAUSE_MS);
        }
      })();
      const deliveries: Promise<void>[] = [];
      const chatting = (async () => {
        while (!stopped) {
          const n = ++chatSeq;
          const text = `chat r${round} m${n}`;
          const record = { ok: false, statuses: [] as number[] };
          chat.set(text, record);
          const payload = slackMessage(
            CHANNEL,
            "U0ONCALL",
            text,
            `${chatSeconds}.${String(n).padStart(6, "0")}`,
          );
          deliveries.push(
            (async () => {
              for (let attempt = 0; attempt < CHAT_ATTEMPTS && !record.ok; attempt++) {
                if (attempt > 0) await sleep(200 * attempt);
                const hook = slackSigned(payload, attempt > 0 ? { retry: attempt } : {});
                const status = await deliver(cluster.proxy.url, hook).then(
                  (r) => r.status,
                  () => 0,
                );
                record.statuses.push(status);
                if (status >= 200 && status < 300) record.ok = true;
              }
            })(),
          );
          await sleep(CHAT_MS);
        }
      })();

      const {
        victim,
        before,
        acked: ackedAtKill,
        at: killedAt,
        done,
      } = await Promise.race([
        kill,
        typing.then(() => Promise.reject(new Error("typing stopped before the kill"))),
      ]);
      await done;
      const killMs = Math.round(killedAt - start);

      // All of that is in the store, read at once, before any victim has reconnected (the
      // provider waits a second) and could have sent it again.
      const { texts: storedAtKill, gaps: gapsAtKill } = await stored();
      const storedAtKillMs = since(killedAt);
      const storedSetAtKill = new Set(storedAtKill);
      const gapNote = `store gaps: ${gapsAtKill.join(", ") || "none"}`;
      expect(
        ackedAtKill.flatMap((a) => a.entries.filter((e) => !storedSetAtKill.has(e))),
        gapNote,
      ).toEqual([]);
      for (const [index, a] of ackedAtKill.entries())
        expect(statusVersion(storedAtKill, index), `c${index}; ${gapNote}`).toBeGreaterThanOrEqual(
          a.status,
        );

      await sleep(AFTER_KILL_MS);
      stopped = true;
      await Promise.all([typing, chatting]);
      await Promise.all(deliveries);
      const ackStarted = performance.now();
      await Promise.all(typists.map((t) => whenAcknowledged(t.provider, 20_000)));
      const ackedAllMs = since(ackStarted);

      // Every typist acknowledged everything it wrote: all of it is stored...
      const { texts: storedNow, gaps } = await stored();
      const storedSet = new Set(storedNow);
      const written = typists.flatMap((t) => t.written);
      const missing = written.filter((text) => !storedSet.has(text));
      expect(missing, `store gaps: ${gaps.join(", ")}`).toEqual([]);
      for (const t of typists) {
        expect(t.acked).toBe(t.written.length);
        expect(storedNow).toContain(statusText(t.index, t.status));
      }
      // ...every chat message answered 2xx exactly once, and none more than once.
      const count = new Map<string, number>();
      for (const text of storedNow)
        if (text.startsWith("chat ")) count.set(text, (count.get(text) ?? 0) + 1);
      const answered = [...chat].filter(([, r]) => r.ok).map(([text]) => text);
      expect(answered.filter((text) => count.get(text) !== 1)).toEqual([]);
      expect([...count].filter(([, n]) => n > 1)).toEqual([]);

      // ...and every client holds all of it.
      const expected = [
        ...written,
        ...answered,
        ...typists.map((t) => statusText(t.index, t.status)),
      ];
      const convergeStarted = performance.now();
      await Promise.all(
        typists.map((t) =>
          whenDoc(
            t.provider.document,
            (doc) => {
              const texts = new Set(readTimeline(doc).map((e) => e.text));
              return expected.every((text) => texts.has(text));
            },
            10_000,
          ),
        ),
      );
      const convergedMs = since(convergeStarted);

      const failovers = typists.flatMap((t) => t.failovers.splice(0));
      const closes: Record<string, number> = {};
      for (const reason of typists.flatMap((t) => t.closes.splice(0)))
        closes[reason] = (closes[reason] ?? 0) + 1;
      const failed = [...chat.values()].filter((r) => !r.ok).length;
      const retried = [...chat.values()].filter((r) => r.statuses.length > 1).length;
      // Its clients moved (the sockets /healthz counted, less any chat write's direct
      // connection), and only they: no other client was disturbed by their return.
      expect(failovers.length).toBeGreaterThan(0);
      expect(failovers.length, JSON.stringify(closes)).toBeLessThanOrEqual(before[victim] ?? 0);
      expect(Math.max(...failovers)).toBeLessThan(5000);
      figures.killsSurvived++;
      figures.rounds.push({
        point: point.name,
        killedAtMs: killMs,
        victim: `p${victim + 1}`,
        socketsPerProcessBefore: before,
        ackedAtKill: ackedAtKill.reduce((n, a) => n + a.entries.length, 0),
        ackedAtKillStored: ackedAtKill.reduce(
          (n, a) => n + a.entries.filter((e) => storedSetAtKill.has(e)).length,
          0,
        ),
        storedReadAfterKillMs: storedAtKillMs,
        entriesWrittenSoFar: written.length,
        entriesAckedSoFar: typists.reduce((n, t) => n + t.acked, 0),
        entriesAckedStoredSoFar: written.filter((text) => storedSet.has(text)).length,
        statusEditsAcked: typists.reduce((n, t) => n + t.ackedStatus, 0),
        storedTimeline: storedNow.length,
        chatSent: chat.size,
        chat2xx: answered.length,
        chatStoredOnce: answered.filter((text) => count.get(text) === 1).length,
        chatNever2xx: failed,
        chatRetried: retried,
        failoverMs: {
          clients: failovers.length,
          min: Math.min(...failovers),
          max: Math.max(...failovers),
        },
        closes,
        allAckedAfterStopMs: ackedAllMs,
        clientsConvergedMs: convergedMs,
      });
      chat.clear();

      const restarted = performance.now();
      await cluster.restart(victim);
      figures.rounds.at(-1)!.restartMs = since(restarted);
    }
    console.log(`FIGURES ${JSON.stringify({ test: "process-kill", ...figures })}`);
  }, 90_000);
});
