import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import {
  findBinary,
  freePort,
  osUser,
  type Service,
  spawnService,
  waitUntilReady,
} from "./localService.ts";

/**
 * A PostgreSQL server of the test's own, for tests that stop, kill or break the
 * database (the shared one on 5432 is never touched that way). Trust auth, user
 * `postgres`, on 127.0.0.1 at a free port; data and socket in a temporary directory.
 * See localService.ts for what is left behind when the test process dies.
 */
export interface PrivatePostgres {
  port: number;
  url: string;
  /** Fast shutdown (clients are disconnected, data is kept); waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; waits until it accepts connections. */
  start(): Promise<void>;
  /** Immediate shutdown, as if the machine lost power (recovery runs at the next start). */
  kill(): Promise<void>;
  /** Shuts it down and removes its data. */
  destroy(): Promise<void>;
}

/** PG_BIN, else the newest Debian-installed version, else PATH. */
function postgresBinDir(): string[] {
  if (process.env.PG_BIN) return [process.env.PG_BIN];
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, "bin"));
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dirs = postgresBinDir();
  const initdb = findBinary("initdb", dirs);
  const postgres = findBinary("postgres", dirs);
  // PostgreSQL refuses root, so as root it runs as the postgres account.
  const user = process.getuid?.() === 0 ? (osUser("postgres") ?? undefined) : undefined;
  if (process.getuid?.() === 0 && !user) throw new Error("running as root and no postgres user");

  const base = fs.mkdtempSync(path.join(os.tmpdir(), "hotdoc-pg-"));
  if (user) fs.chownSync(base, user.uid, user.gid);
  const dataDir = path.join(base, "data");
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C", LANG: "C" };
  for (const name of Object.keys(env)) if (name.startsWith("PG")) delete env[name];

  const init = spawnService(
    initdb,
    [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "--no-instructions",
      "--encoding=UTF8",
      "--locale=C",
    ],
    { cwd: base, user, env, deathSignal: "SIGKILL" },
  );
  const { code } = await init.exited;
  if (code !== 0) {
    fs.rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb failed (${code}):\n${init.output()}`);
  }

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: Service | null = null;

  const start = async () => {
    if (server) throw new Error("private PostgreSQL is already running");
    const started = spawnService(
      postgres,
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-k",
        base,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "shared_buffers=16MB",
        "-c",
        "max_connections=100",
        "-c",
        "lc_messages=C",
        "-c",
        "log_min_messages=warning",
      ],
      // SIGQUIT is PostgreSQL's immediate shutdown: it takes its backends down with it.
      { cwd: base, user, env, deathSignal: "SIGQUIT" },
    );
    server = started;
    void started.exited.then(() => {
      if (server === started) server = null;
    });
    try {
      await waitUntilReady("private PostgreSQL", started, () => canQuery(url), 20_000);
    } catch (error) {
      await started.stop("SIGQUIT");
      throw error;
    }
  };
  const shutdown = async (signal: NodeJS.Signals) => {
    await server?.stop(signal);
    server = null;
  };

  await start().catch((error) => {
    fs.rmSync(base, { recursive: true, force: true });
    throw error;
  });
  return {
    port,
    url,
    start,
    stop: () => shutdown("SIGINT"),
    kill: () => shutdown("SIGQUIT"),
    async destroy() {
      await shutdown("SIGINT");
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  // A refused or reset connection also arrives as an 'error' event; rejecting is enough.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}
