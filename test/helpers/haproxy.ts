import os from "node:os";
import path from "node:path";
import { findBinary, freePort, spawnService, waitUntilReady } from "./localService.ts";

const CONFIG = path.resolve(import.meta.dirname, "..", "..", "deploy", "haproxy.cfg");
/** Server slots in deploy/haproxy.cfg (hotdoc1..hotdoc3). */
const SLOTS = 3;
/**
 * Where an unused slot points: a privileged port nothing on a test machine listens on
 * and port 0 never hands out, so the slot is just DOWN.
 */
const CLOSED = "127.0.0.1:1";

type ServerState = "UP" | "DOWN" | "other";

export interface Haproxy {
  pid: number;
  port: number;
  url: string;
  wsUrl: string;
  /** HAProxy's view of backend `index` (0-based, in the order of `backends`). */
  serverState(index: number): Promise<ServerState>;
  /** Resolves once HAProxy holds backend `index` as `state` (checks every 50 ms). */
  waitForServer(index: number, state: "UP" | "DOWN", timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs HAProxy with deploy/haproxy.cfg itself, its addresses set through the
 * environment as an operator would. Resolves once it serves /healthz and holds every
 * backend UP. `port` fixes the listening port (hotdoc's PUBLIC_URL may need it upfront).
 */
export async function startHaproxy(options: {
  backends: string[];
  port?: number;
}): Promise<Haproxy> {
  const { backends } = options;
  if (backends.length < 1 || backends.length > SLOTS)
    throw new Error(`deploy/haproxy.cfg has ${SLOTS} server slots; got ${backends.length}`);
  const port = options.port ?? (await freePort());
  const statsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOTDOC_BIND: `127.0.0.1:${port}`,
    HOTDOC_STATS_BIND: `127.0.0.1:${statsPort}`,
  };
  for (let i = 0; i < SLOTS; i++) env[`HOTDOC_${i + 1}`] = backends[i] ?? CLOSED;

  const haproxy = findBinary("haproxy", ["/usr/sbin", "/usr/local/sbin"]);
  // -db: stay in the foreground; it logs one line per request to stdout, kept as a tail.
  const service = spawnService(haproxy, ["-db", "-f", CONFIG], {
    cwd: os.tmpdir(),
    env,
    deathSignal: "SIGTERM",
  });
  const url = `http://127.0.0.1:${port}`;
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;

  const serverState = async (index: number): Promise<ServerState> => {
    const response = await fetch(statsUrl);
    const [header, ...rows] = (await response.text()).split("\n");
    const columns = (header ?? "").replace(/^# /, "").split(",");
    const nameAt = columns.indexOf("svname");
    const statusAt = columns.indexOf("status");
    const row = rows
      .map((line) => line.split(","))
      .find((cells) => cells[0] === "hotdoc" && cells[nameAt] === `hotdoc${index + 1}`);
    if (!row) throw new Error(`no hotdoc${index + 1} in HAProxy's stats`);
    // "UP 1/2" is still UP (one check failed); "DOWN 1/2" still DOWN.
    const status = row[statusAt] ?? "";
    return status.startsWith("UP") ? "UP" : status.startsWith("DOWN") ? "DOWN" : "other";
  };
  const waitForServer = (index: number, state: "UP" | "DOWN", timeoutMs = 10_000) =>
    waitUntilReady(
      `HAProxy holding hotdoc${index + 1} ${state}`,
      service,
      async () => (await serverState(index)) === state,
      timeoutMs,
    );

  try {
    await waitUntilReady(
      "HAProxy",
      service,
      async () => {
        const response = await fetch(`${url}/healthz`);
        await response.arrayBuffer();
        return response.status === 200;
      },
      10_000,
    );
    for (let i = 0; i < backends.length; i++) await waitForServer(i, "UP");
  } catch (error) {
    await service.stop("SIGKILL");
    throw error;
  }
  return {
    pid: service.child.pid as number,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    serverState,
    waitForServer,
    stop: () => service.stop("SIGTERM"),
  };
}
