/**
 * `npm run bench`: hotdoc's costs as ratios against a baseline measured in the same
 * process, written to bench/RESULTS.md.
 *
 * 1. Sync: one @hocuspocus/provider sends N separate updates and waits until the
 *    server has acknowledged all of them, while a second client receives them;
 *    hotdoc (durable append per update, ack held until durable) against plain
 *    Hocuspocus (no extensions, nothing stored) on the same machine.
 * 2. Export: a 10,000-entry incident rendered to each format, against serialising
 *    the same Y.Doc with Yjs alone.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { HocuspocusProvider } from "@hocuspocus/provider";
import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import * as Y from "yjs";
import { appendTimelineEntry, initIncident, readTimeline } from "#shared/doc/index.ts";
import { loadConfig } from "../server/config.ts";
import { EXPORT_REGISTRY } from "../server/export/formats.ts";
import { buildPostmortem } from "../server/export/postmortem.ts";
import { startHotdoc } from "../server/hotdoc.ts";

const UPDATES = Number(process.env.BENCH_UPDATES ?? 2000);
const ENTRIES = 10_000;
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Sends UPDATES entries from one client; resolves with ms until all are acknowledged and seen by a second client. */
async function syncRun(url: string, name: string, token: string): Promise<number> {
  const writer = new HocuspocusProvider({ url, name, token, document: new Y.Doc() });
  const reader = new HocuspocusProvider({ url, name, token, document: new Y.Doc() });
  await Promise.all(
    [writer, reader].map(
      (p) =>
        new Promise<void>((resolve) => (p.isSynced ? resolve() : p.on("synced", () => resolve()))),
    ),
  );
  const base = readTimeline(reader.document).length;
  const started = performance.now();
  for (let i = 0; i < UPDATES; i++)
    appendTimelineEntry(writer.document, { author: "bench", text: `entry ${i}`, kind: "note" });
  await Promise.all([
    new Promise<void>((resolve) => {
      const check = () => !writer.hasUnsyncedChanges && resolve();
      writer.on("unsyncedChanges", check);
      check();
    }),
    new Promise<void>((resolve) => {
      const check = () => readTimeline(reader.document).length >= base + UPDATES && resolve();
      reader.document.on("update", check);
      check();
    }),
  ]);
  const elapsed = performance.now() - started;
  writer.destroy();
  reader.destroy();
  return elapsed;
}

async function plainHocuspocus(): Promise<{ url: string; close: () => Promise<void> }> {
  const hocuspocus = new Hocuspocus({ quiet: true });
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, request) => {
    const client = hocuspocus.handleConnection(
      ws as never,
      new Request(`http://localhost${request.url}`, { headers: {} }),
    );
    ws.on("message", (data: Buffer) => client.handleMessage(new Uint8Array(data)));
    ws.on("close", (code, reason) => client.handleClose({ code, reason: reason.toString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      wss.clients.forEach((c) => {
        c.terminate();
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function syncBench(): Promise<{ plainMs: number; hotdocMs: number }> {
  const plain = await plainHocuspocus();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hotdoc-bench-"));
  const hotdoc = await startHotdoc(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ADMIN_TOKEN: "bench-admin-token-0123456789",
      LOG_LEVEL: "silent",
    }),
  );
  const plainRuns: number[] = [];
  const hotdocRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    plainRuns.push(await syncRun(plain.url, `plain-${round}`, "x"));
    const key = (
      await hotdoc.incidents.create(
        { summary: `bench ${round}`, severity: 3 },
        { subject: "bench", name: "bench", role: "admin", scope: "*" },
      )
    ).key;
    hotdocRuns.push(
      await syncRun(`ws://127.0.0.1:${hotdoc.port}/collab`, key, "bench-admin-token-0123456789"),
    );
  }
  await plain.close();
  await hotdoc.close();
  return { plainMs: median(plainRuns), hotdocMs: median(hotdocRuns) };
}

function exportBench(): { baselineMs: number; formats: Record<string, number> } {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-1",
    summary: "A long incident",
    severity: 2,
    actor: { name: "bench", source: "api" },
  });
  for (let i = 0; i < ENTRIES; i++) {
    appendTimelineEntry(doc, {
      author: `user${i % 23}`,
      source: "slack",
      kind: "chat",
      text: `chat message ${i} about the incident`,
      at: new Date(1.7e12 + i * 1000).toISOString(),
    });
  }
  const time = (f: () => unknown) =>
    median(
      Array.from({ length: ROUNDS + 2 }, () => {
        const started = performance.now();
        f();
        return performance.now() - started;
      }),
    );
  const baselineMs = time(() => JSON.stringify(doc.toJSON()));
  const formats: Record<string, number> = {};
  for (const format of EXPORT_REGISTRY)
    formats[format.id] = time(() => format.render(buildPostmortem(doc)));
  return { baselineMs, formats };
}

const round = (n: number) => Math.round(n * 10) / 10;
const sync = await syncBench();
const exported = exportBench();
const lines = [
  "# Benchmarks",
  "",
  `Measured by \`npm run bench\` on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}. Medians of ${ROUNDS} rounds (${ROUNDS + 2} for exports); each ratio is against a baseline run in the same process.`,
  "",
  "## Sync: durable, acknowledged updates",
  "",
  `One client sends ${UPDATES} separate updates (one timeline entry each) and waits until the server has acknowledged every one; a second client receives them all.`,
  "",
  "| server | total | per update | ratio |",
  "|---|---|---|---|",
  `| plain Hocuspocus (no extensions, nothing stored) | ${round(sync.plainMs)} ms | ${round((sync.plainMs * 1000) / UPDATES)} µs | 1.00 |`,
  `| hotdoc (each update appended to SQLite with synchronous=FULL before its ack) | ${round(sync.hotdocMs)} ms | ${round((sync.hotdocMs * 1000) / UPDATES)} µs | ${(sync.hotdocMs / sync.plainMs).toFixed(2)} |`,
  "",
  "## Export: a 10,000-entry incident",
  "",
  "| work | time | ratio to baseline |",
  "|---|---|---|",
  `| baseline: \`JSON.stringify(doc.toJSON())\` of the same Y.Doc | ${round(exported.baselineMs)} ms | 1.00 |`,
  ...Object.entries(exported.formats).map(
    ([format, ms]) =>
      `| postmortem → ${format} | ${round(ms)} ms | ${(ms / exported.baselineMs).toFixed(2)} |`,
  ),
  "",
];
fs.writeFileSync(path.join(import.meta.dirname, "RESULTS.md"), lines.join("\n"));
console.log(lines.join("\n"));
process.exit(0);
