/**
 * The bench's load generator parts: the two servers as child processes, cheap viewers
 * (raw websockets that only count and timestamp frames), real responders, and the
 * probes that read a child's CPU and memory from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import readline from "node:readline";
import { AuthMessageType } from "@hocuspocus/common";
import { HocuspocusProvider } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as Y from "yjs";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { callApi, TEST_LIMITS, TEST_TOKEN } from "../test/helpers/testServer.ts";

export const TOKEN = TEST_TOKEN;

/** One server under test, hotdoc or bare, in its own process. */
export interface Target {
  kind: "hotdoc" | "bare";
  pid: number;
  wsUrl: string;
  url: string;
  /** A fresh document to load: a new incident on hotdoc, a new name on bare. */
  newDocument(label: string): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "..");

/** A port nobody listens on right now (hotdoc at LOG_LEVEL=warn does not log the one it picked). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `node server/main.ts` as `npm start` runs it, at LOG_LEVEL=warn; resolves once /healthz answers. */
export async function startHotdoc(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<Target> {
  const port = await freePort();
  // BENCH_HOTDOC_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_HOTDOC_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "server", "main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ADMIN_TOKEN: TEST_TOKEN,
      LOG_LEVEL: "warn",
      // One generator address drives the server as hard as a whole company would.
      ...TEST_LIMITS,
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`hotdoc exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (tries > 400) throw new Error("hotdoc did not answer /healthz in 20 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    kind: "hotdoc",
    pid: child.pid!,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    url,
    async newDocument(label) {
      const answer = await callApi(url, "POST", "/api/incidents", {
        summary: `bench ${label}`,
        severity: 1,
      });
      if (answer.status !== 201) throw new Error(`create incident: ${answer.status}`);
      return answer.body.key as string;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

let bareDocs = 0;
export async function startBare(env: Record<string, string> = {}): Promise<Target> {
  // BENCH_BARE_NODE_ARGS: the same for the bare server, to profile both sides of a ratio.
  const nodeArgs = (process.env.BENCH_BARE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, new URL("./bareServer.ts", import.meta.url).pathname],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", (line) => {
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return {
    kind: "bare",
    pid: child.pid!,
    wsUrl: `ws://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    async newDocument(label) {
      return `bare-${label}-${++bareDocs}`;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** utime + stime of a process in seconds (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** The generator's own load over a window: CPU share of one core and event-loop delay. */
export function generatorProbe(): () => { cpuPct: number; loopP99Ms: number; loopMaxMs: number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    histogram.disable();
    const cpu = process.cpuUsage(cpu0);
    return {
      cpuPct: ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100,
      loopP99Ms: histogram.percentile(99) / 1e6,
      loopMaxMs: histogram.max / 1e6,
    };
  };
}

const MESSAGE_SYNC = 0;
const MESSAGE_AUTH = 2;
const SYNC_STEP_2 = 1;

/** The client's half of the handshake: its token, then SyncStep1 with an empty state vector. */
function handshake(name: string, token: string): Uint8Array[] {
  const auth = encoding.createEncoder();
  encoding.writeVarString(auth, name);
  encoding.writeVarUint(auth, MESSAGE_AUTH);
  encoding.writeVarUint(auth, AuthMessageType.Token);
  encoding.writeVarString(auth, token);
  const step1 = encoding.createEncoder();
  encoding.writeVarString(step1, name);
  encoding.writeVarUint(step1, MESSAGE_SYNC);
  encoding.writeVarUint(step1, 0);
  encoding.writeVarUint8Array(step1, Y.encodeStateVector(new Y.Doc()));
  return [encoding.toUint8Array(auth), encoding.toUint8Array(step1)];
}

function isSyncStep2(data: Buffer): boolean {
  const decoder = decoding.createDecoder(data);
  decoding.readVarString(decoder);
  return (
    decoding.readVarUint(decoder) === MESSAGE_SYNC && decoding.readVarUint(decoder) === SYNC_STEP_2
  );
}

/** Edits carry `MARK` + a 7-digit id in their text; the raw UTF-8 is in the update bytes. */
const MARK = Buffer.from("BMK");
export const markerText = (id: number) => `BMK${String(id).padStart(7, "0")} status update`;

/**
 * A cheap viewer: one websocket that authenticates and sends SyncStep1, answers nothing,
 * and after its SyncStep2 scans every frame for edit markers. `onMarker` gets the id and
 * the receive time. No Y.Doc.
 */
export function connectViewer(
  wsUrl: string,
  name: string,
  token: string,
  onMarker: (id: number, at: number) => void,
): Promise<{ ws: WebSocket; syncedMs: number; frames: () => number }> {
  const started = performance.now();
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  let synced = false;
  let frames = 0;
  return new Promise((resolve, reject) => {
    // Kept for the socket's life: a late error must not become an uncaught exception.
    ws.on("error", reject);
    ws.once("open", () => {
      for (const frame of handshake(name, token)) ws.send(frame);
    });
    ws.on("message", (data: Buffer) => {
      const at = performance.now();
      frames++;
      if (!synced) {
        if (!isSyncStep2(data)) return;
        synced = true;
        resolve({ ws, syncedMs: at - started, frames: () => frames });
        return;
      }
      for (let i = data.indexOf(MARK); i !== -1; i = data.indexOf(MARK, i + 10)) {
        let id = 0;
        for (let d = i + 3; d < i + 10; d++) id = id * 10 + (data[d] - 48);
        onMarker(id, at);
      }
    });
    ws.once("close", (code) => {
      if (!synced) reject(new Error(`viewer closed before sync (${code})`));
    });
  });
}

/** Connects `count` viewers, `batch` at a time. */
export async function connectViewers(
  count: number,
  connect: (index: number) => ReturnType<typeof connectViewer>,
  batch = 100,
): Promise<Awaited<ReturnType<typeof connectViewer>>[]> {
  const viewers: Awaited<ReturnType<typeof connectViewer>>[] = [];
  for (let start = 0; start < count; start += batch) {
    const group = Array.from({ length: Math.min(batch, count - start) }, (_, i) =>
      connect(start + i),
    );
    viewers.push(...(await Promise.all(group)));
  }
  return viewers;
}

export function closeViewers(viewers: { ws: WebSocket }[]): void {
  for (const viewer of viewers) viewer.ws.terminate();
}

/** A real provider, synced. */
export async function connectResponder(
  wsUrl: string,
  name: string,
  token: string,
): Promise<HocuspocusProvider> {
  const provider = new HocuspocusProvider({ url: wsUrl, name, token, document: new Y.Doc() });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("responder sync timed out")), 30_000);
    provider.on("synced", ({ state }: { state: boolean }) => {
      if (state) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return provider;
}

/** Appends one marked timeline entry through a responder's provider. */
export function markedEdit(provider: HocuspocusProvider, responder: number, id: number): void {
  appendTimelineEntry(provider.document, {
    author: `responder${responder}`,
    text: markerText(id),
    kind: "note",
  });
}

/** Latencies in 0.1 ms buckets up to 60 s: percentiles without keeping every sample. */
export class Histogram {
  private buckets = new Uint32Array(600_000);
  count = 0;
  add(ms: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 10)))]++;
    this.count++;
  }
  percentile(p: number): number {
    const wanted = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= wanted && seen > 0) return i / 10;
    }
    return Number.NaN;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
