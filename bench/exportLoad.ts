/**
 * Measures what concurrent heavy exports cost a running hotdoc (issue 15, finding 3):
 * a separate server process, one incident grown to ENTRIES timeline entries of about
 * ENTRY_BYTES each through a real provider, then CONCURRENT simultaneous
 * `export?format=html&at=<now>` requests. Prints the wall time, every answer's status,
 * the server's peak RSS (VmHWM) before and after, and the slowest /healthz answer
 * while the exports ran. Not part of `npm run bench` (it takes minutes); run it with
 * `node bench/exportLoad.ts`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { spawnServer } from "../test/helpers/childServer.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../test/helpers/clients.ts";
import { callApi, TEST_TOKEN } from "../test/helpers/testServer.ts";

const ENTRIES = Number(process.env.ENTRIES ?? 20_000);
const ENTRY_BYTES = Number(process.env.ENTRY_BYTES ?? 3000);
const CONCURRENT = Number(process.env.CONCURRENT ?? 4);
const BATCH = 500;

const peakRss = (pid: number) =>
  Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hotdoc-exportload-"));
const server = await spawnServer(dataDir, { LOG_LEVEL: "info" });
try {
  const key = (
    await callApi(server.url, "POST", "/api/incidents", {
      summary: "Export under load",
      severity: 1,
    })
  ).body.key as string;
  const doc = new Y.Doc();
  const provider = connectProvider(server.wsUrl, key, TEST_TOKEN, doc);
  await whenSynced(provider);
  const filler = "x".repeat(ENTRY_BYTES);
  const started = Date.now();
  for (let done = 0; done < ENTRIES; done += BATCH) {
    doc.transact(() => {
      for (let i = done; i < Math.min(ENTRIES, done + BATCH); i++) {
        appendTimelineEntry(doc, {
          author: `user${i % 10}`,
          source: "editor",
          kind: "note",
          text: `entry ${i} ${filler}`,
          at: new Date(started + i).toISOString(),
        });
      }
    });
    await whenAcknowledged(provider, 120_000);
  }
  provider.destroy();
  console.log(
    `wrote ${ENTRIES} entries of ~${ENTRY_BYTES} B in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const rssBefore = peakRss(server.child.pid!);
  const at = encodeURIComponent(new Date().toISOString());
  let slowestHealth = 0;
  let exportsDone = false;
  const healthProbe = (async () => {
    for (let i = 0; i < 10_000 && !exportsDone; i++) {
      const t = performance.now();
      await fetch(`${server.url}/healthz`);
      slowestHealth = Math.max(slowestHealth, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      const response = await fetch(
        `${server.url}/api/incidents/${key}/export?format=html&at=${at}`,
        { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
      );
      const body = await response.arrayBuffer();
      return {
        status: response.status,
        bytes: body.byteLength,
        ms: Math.round(performance.now() - t0),
        retryAfter: response.headers.get("retry-after"),
      };
    }),
  );
  const wall = performance.now() - t0;
  exportsDone = true;
  await healthProbe;
  console.log(
    JSON.stringify(
      {
        entries: ENTRIES,
        entryBytes: ENTRY_BYTES,
        concurrent: CONCURRENT,
        wallMs: Math.round(wall),
        answers,
        peakRssBeforeMb: Math.round(rssBefore),
        peakRssAfterMb: Math.round(peakRss(server.child.pid!)),
        slowestHealthzMs: Math.round(slowestHealth),
      },
      null,
      1,
    ),
  );
} finally {
  server.child.kill("SIGTERM");
  await server.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
}
