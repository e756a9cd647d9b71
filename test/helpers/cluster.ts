import { randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { type ChildServer, spawnServer } from "./childServer.ts";
import { type Haproxy, startHaproxy } from "./haproxy.ts";
import { freePort } from "./localService.ts";
import { TEST_TOKEN, tempDataDir } from "./testServer.ts";

/** N hotdoc processes (as `npm start` runs them) sharing one schema and Redis, behind HAProxy. */
export interface Cluster {
  /** Process i, as last started (restart replaces the entry). */
  processes: ChildServer[];
  proxy: Haproxy;
  /** The DATABASE_SCHEMA every process uses, created for this cluster alone. */
  schema: string;
  /** SIGKILLs process i and waits for its exit (HAProxy notices on its own). */
  kill(i: number): Promise<void>;
  /**
   * SIGSTOPs process i: it hangs with its connections open, as a wedged process does,
   * so only HAProxy's health checks can find it out. `thaw` (SIGCONT) lets it go on.
   */
  freeze(i: number): void;
  thaw(i: number): void;
  /** Starts process i again on its port and data directory; resolves once HAProxy holds it UP. */
  restart(i: number): Promise<ChildServer>;
  /** Kills everything, drops the schema, removes the data directories. */
  destroy(): Promise<void>;
}

export async function startCluster(options: {
  processes: number;
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<Cluster> {
  const schema = `hotdoc_cluster_${randomBytes(6).toString("hex")}`;
  await withClient(options.databaseUrl, (db) => db.query(`CREATE SCHEMA "${schema}"`));
  const proxyPort = await freePort();
  // Fixed ports: a restarted process must come back where HAProxy looks for it.
  const ports = await Promise.all(Array.from({ length: options.processes }, () => freePort()));
  const dataDirs = ports.map(() => tempDataDir());
  const shared = {
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: options.redisUrl,
    TOKEN_SECRET: randomBytes(32).toString("hex"),
    ADMIN_TOKEN: TEST_TOKEN,
    TRUST_PROXY: "true",
    PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
  };
  const envOf = (i: number) => ({
    ...shared,
    PORT: String(ports[i]),
    PROCESS_NAME: `p${i + 1}`,
    ...options.env,
  });

  const processes: ChildServer[] = [];
  let proxy: Haproxy | null = null;
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const errors: unknown[] = [];
    const attempt = (step: Promise<unknown>) => step.catch((error) => errors.push(error));
    await Promise.all(processes.map((server) => attempt(killChild(server))));
    if (proxy) await attempt(proxy.stop());
    await attempt(
      withClient(options.databaseUrl, (db) =>
        db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      ),
    );
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  };

  try {
    const started = await Promise.allSettled(dataDirs.map((dir, i) => spawnServer(dir, envOf(i))));
    for (const result of started) if (result.status === "fulfilled") processes.push(result.value);
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    proxy = await startHaproxy({
      backends: ports.map((port) => `127.0.0.1:${port}`),
      port: proxyPort,
    });
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
  const running = proxy;

  const at = (i: number): ChildServer => {
    const server = processes[i];
    if (!server) throw new Error(`no process ${i} in a cluster of ${processes.length}`);
    return server;
  };
  return {
    processes,
    proxy: running,
    schema,
    kill: (i) => killChild(at(i)),
    freeze: (i) => void at(i).child.kill("SIGSTOP"),
    thaw: (i) => void at(i).child.kill("SIGCONT"),
    async restart(i) {
      if (at(i).child.exitCode === null && at(i).child.signalCode === null)
        throw new Error(`process ${i} is still running; kill it first`);
      const dataDir = dataDirs[i] as string;
      const server = await spawnServer(dataDir, envOf(i));
      processes[i] = server;
      await running.waitForServer(i, "UP");
      return server;
    },
    destroy,
  };
}

async function killChild(server: ChildServer): Promise<void> {
  server.child.kill("SIGKILL");
  await server.exited;
}

async function withClient<T>(url: string, use: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}
