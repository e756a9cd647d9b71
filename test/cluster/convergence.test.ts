import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  appendTimelineEntry,
  onTimelineAdded,
  readIncident,
  readRichTextPlain,
  setRichTextPlain,
} from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenSynced, withTimeout } from "../helpers/clients.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { TEST_DATABASE_URL } from "../helpers/postgresSchema.ts";
import { callApi, TEST_TOKEN } from "../helpers/testServer.ts";

const SHARED_REDIS = "redis://127.0.0.1:6379";
const PROCESSES = 3;
/** Clients per process: two straight to it, one through HAProxy (placed by leastconn). */
const DIRECT_PER_PROCESS = 2;
/** Every client writes once per round, all in the same tick: 22 × 9 = 198 edits. */
const ROUNDS = 22;
const VISIBLE_WITHIN_MS = 1000;

interface Client {
  name: string;
  provider: HocuspocusProvider;
  /** The process (index) its socket is on. */
  process: number;
  /** When (performance.now()) each timeline text first appeared in this client's doc. */
  seen: Map<string, number>;
  /** Resolves waiters whenever `seen` grows. */
  changed: Set<() => void>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** The stored incident, rebuilt from the update log (`?at=` reads the store, not memory). */
async function storedDoc(baseUrl: string, key: string): Promise<Y.Doc> {
  const at = new Date().toISOString();
  const response = await fetch(`${baseUrl}/api/incidents/${key}/state?at=${at}`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
  });
  expect(response.status).toBe(200);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await response.arrayBuffer()));
  return doc;
}

const stateVector = (doc: Y.Doc) =>
  Object.fromEntries([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort());

async function connectionsPerProcess(cluster: Cluster): Promise<number[]> {
  return Promise.all(
    cluster.processes.map(
      async (p) => (await callApi(p.url, "GET", "/healthz", undefined, null)).body.connections,
    ),
  );
}

describe("three processes behind HAProxy converge", () => {
  let cluster: Cluster;
  let key: string;
  const clients: Client[] = [];

  function track(name: string, provider: HocuspocusProvider, process: number): Client {
    const client: Client = { name, provider, process, seen: new Map(), changed: new Set() };
    onTimelineAdded(provider.document, (entries) => {
      const now = performance.now();
      for (const entry of entries)
        if (!client.seen.has(entry.text)) client.seen.set(entry.text, now);
      for (const wake of client.changed) wake();
    });
    clients.push(client);
    return client;
  }

  function whenSeen(client: Client, texts: string[], timeoutMs: number): Promise<void> {
    const all = () => texts.every((t) => client.seen.has(t));
    if (all()) return Promise.resolve();
    let wake = () => {};
    return withTimeout(
      new Promise<void>((resolve) => {
        wake = () => all() && resolve();
        client.changed.add(wake);
      }),
      timeoutMs,
      `${client.name} to see ${texts.filter((t) => !client.seen.has(t)).join(", ")}`,
    ).finally(() => client.changed.delete(wake));
  }

  beforeAll(async () => {
    const started = performance.now();
    cluster = await startCluster({
      processes: PROCESSES,
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: SHARED_REDIS,
    });
    console.log(`3-process cluster started in ${Math.round(performance.now() - started)} ms`);
    const created = await callApi(cluster.proxy.url, "POST", "/api/incidents", {
      summary: "Convergence across processes",
      severity: 2,
    });
    expect(created.status).toBe(201);
    key = created.body.key;

    for (let p = 0; p < PROCESSES; p++)
      for (let i = 0; i < DIRECT_PER_PROCESS; i++) {
        const provider = connectProvider(cluster.processes[p]!.wsUrl, key, TEST_TOKEN);
        track(`p${p + 1}-direct${i + 1}`, provider, p);
      }
    await Promise.all(clients.map((c) => whenSynced(c.provider)));
    // Through the proxy one at a time, so each one's process is told by the counts.
    for (let i = 0; i < PROCESSES; i++) {
      const before = await connectionsPerProcess(cluster);
      const provider = connectProvider(cluster.proxy.wsUrl, key, TEST_TOKEN);
      await whenSynced(provider);
      const after = await connectionsPerProcess(cluster);
      const landed = after.findIndex((n, p) => n === (before[p] ?? 0) + 1);
      expect(landed).toBeGreaterThanOrEqual(0);
      track(`proxy${i + 1}@p${landed + 1}`, provider, landed);
    }
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.provider.destroy();
    await cluster?.destroy();
  });

  it("every edit reaches every client within 1 s, and the store ends equal to every client", async () => {
    // The proxy placed one client on each process (leastconn), so each has three.
    expect(await connectionsPerProcess(cluster)).toEqual([3, 3, 3]);

    const crossProcess: number[] = [];
    const worstPerEdit: number[] = [];
    const runStarted = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const written = clients.map((client) => {
        const text = `r${round} by ${client.name}`;
        const at = performance.now();
        appendTimelineEntry(client.provider.document, {
          author: client.name,
          text,
          kind: "note",
        });
        return { client, text, at };
      });
      // Some rounds also rewrite the notes from two processes at once (concurrent text edits).
      if (round % 5 === 0) {
        setRichTextPlain(clients[0]!.provider.document, "notes", `notes ${round} from p1`);
        setRichTextPlain(clients.at(-1)!.provider.document, "notes", `notes ${round} from proxy`);
      }
      const texts = written.map((w) => w.text);
      await Promise.all(clients.map((c) => whenSeen(c, texts, 5000)));
      for (const { client: writer, text, at } of written) {
        let worst = 0;
        for (const reader of clients) {
          const latency = (reader.seen.get(text) as number) - at;
          worst = Math.max(worst, latency);
          if (reader.process !== writer.process) crossProcess.push(latency);
        }
        worstPerEdit.push(worst);
      }
    }
    const runMs = performance.now() - runStarted;
    await Promise.all(clients.map((c) => whenAcknowledged(c.provider)));

    const sorted = crossProcess.toSorted((a, b) => a - b);
    const figures = {
      test: "convergence",
      processes: PROCESSES,
      clients: clients.length,
      placement: clients.map((c) => c.name),
      edits: worstPerEdit.length,
      crossProcessSamples: sorted.length,
      crossProcessP50Ms: round1(percentile(sorted, 50)),
      crossProcessP99Ms: round1(percentile(sorted, 99)),
      crossProcessMaxMs: round1(sorted.at(-1) ?? Number.NaN),
      slowestEditEverywhereMs: round1(Math.max(...worstPerEdit)),
      runMs: Math.round(runMs),
    };
    console.log(`FIGURES ${JSON.stringify(figures)}`);
    expect(worstPerEdit).toHaveLength(ROUNDS * clients.length);
    // 6 of the 9 readers of each edit are on another process than its writer.
    expect(sorted).toHaveLength(ROUNDS * clients.length * 6);
    expect(figures.crossProcessP99Ms).toBeLessThan(VISIBLE_WITHIN_MS);
    for (const worst of worstPerEdit) expect(worst).toBeLessThan(VISIBLE_WITHIN_MS);

    // Every client holds the same document, down to the Yjs state vector.
    const reference = clients[0]!.provider.document;
    const expected = readIncident(reference);
    expect(expected.timeline.filter((e) => e.kind === "note")).toHaveLength(
      ROUNDS * clients.length,
    );
    const lastNotes = ROUNDS - 1 - ((ROUNDS - 1) % 5);
    expect(readRichTextPlain(reference, "notes")).toContain(`notes ${lastNotes}`);
    for (const client of clients) {
      expect(readIncident(client.provider.document), client.name).toEqual(expected);
      expect(stateVector(client.provider.document), client.name).toEqual(stateVector(reference));
    }
    // The store (rebuilt from the update log, through each process) holds exactly that.
    for (const p of cluster.processes) {
      const stored = await storedDoc(p.url, key);
      expect(readIncident(stored)).toEqual(expected);
      expect(stateVector(stored)).toEqual(stateVector(reference));
      const rest = await callApi(p.url, "GET", `/api/incidents/${key}`);
      expect(rest.body).toEqual(expected);
    }
  });
});
