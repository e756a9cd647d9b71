import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { withTimeout } from "./clients.ts";
import { TEST_LIMITS, TEST_TOKEN } from "./testServer.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface ChildServer {
  child: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  /** Resolves with the exit signal/code once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every JSON log line the server has written so far, parsed. */
  logs: Record<string, unknown>[];
}

/**
 * Runs `server/main.ts` in its own process (the same way `npm start` does) and
 * resolves once it logs where it listens. `nodeArgs` go to node itself (diagnostics
 * such as `--trace-gc`, which NODE_OPTIONS does not allow).
 */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "server", "main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ADMIN_TOKEN: TEST_TOKEN,
      LOG_LEVEL: "info",
      ...TEST_LIMITS,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let stderr = "";
  const logs: Record<string, unknown>[] = [];
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        if (!line.startsWith("{")) return;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        logs.push(entry);
        if (entry.msg === "hotdoc listening" && entry.port) resolve(entry.port);
      });
      // 'close' comes after the output is drained: why it stopped is often in its last log lines.
      child.once("close", (code) => {
        const last = logs.slice(-3).map((entry) => `\n${JSON.stringify(entry)}`);
        reject(new Error(`server exited early (${code}): ${stderr}${last.join("")}`));
      });
    }),
    20_000,
    "child server to listen",
  );
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    exited,
    logs,
  };
}

/** SIGKILLs every child server in `children` (emptying it) and waits until each has exited. */
export async function killAll(children: ChildServer[]): Promise<void> {
  for (const server of children.splice(0)) {
    server.child.kill("SIGKILL");
    await server.exited;
  }
}
