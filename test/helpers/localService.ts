import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/**
 * Plumbing shared by the private PostgreSQL, Redis and HAProxy the multi-process tests
 * start: free ports, and child processes that do not outlive the test process.
 *
 * Orphans: every service runs under `setpriv --pdeathsig`, so the kernel signals it when
 * the test process dies, even by SIGKILL; on a normal exit an 'exit' hook signals it too.
 * Without setpriv (not Linux) only the hook remains, and a test process killed hard
 * leaves its services running. Temporary directories are left behind in either case
 * when the test process dies before its cleanup.
 */

/** A port nothing listens on right now (the kernel's pick for port 0, released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Service {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few kilobytes the service wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Sends `signal` unless the service has already exited, and waits for it to exit. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

const running = new Map<ChildProcess, NodeJS.Signals>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const [child, signal] of running) child.kill(signal);
  });
}

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p)) ?? null;
const OUTPUT_TAIL = 8192;

/**
 * Starts `command` as a child that gets `deathSignal` when this process dies, running
 * as `user` (an OS account) when we are root: PostgreSQL refuses to run as root.
 */
export function spawnService(
  command: string,
  args: string[],
  options: { cwd: string; deathSignal: NodeJS.Signals; user?: OsUser; env?: NodeJS.ProcessEnv },
): Service {
  const prefix: string[] = [];
  if (SETPRIV) {
    prefix.push(SETPRIV);
    if (options.user && process.getuid?.() === 0)
      prefix.push(`--reuid=${options.user.uid}`, `--regid=${options.user.gid}`, "--init-groups");
    // Last, after the identity change, which would clear it.
    prefix.push(`--pdeathsig=${options.deathSignal.replace(/^SIG/, "")}`, "--");
  } else if (options.user && process.getuid?.() === 0) {
    throw new Error(`cannot run ${command} as ${options.user.name}: setpriv is missing`);
  }
  const argv = [...prefix, command, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const collect = (chunk: Buffer) => {
    tail = (tail + String(chunk)).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  running.set(child, options.deathSignal);
  hookExit();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      running.delete(child);
      tail += `\n${String(error)}`;
      resolve({ code: -1, signal: null });
    });
  });
  return {
    child,
    exited,
    output: () => tail,
    async stop(signal) {
      if (running.has(child)) child.kill(signal);
      await exited;
    },
  };
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The OS account `name` from /etc/passwd, or null when there is none. */
export function osUser(name: string): OsUser | null {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(":");
  return { name, uid: Number(uid), gid: Number(gid) };
}

/**
 * Polls `ready` every 50 ms until it resolves true; fails after `timeoutMs`, or at once
 * when `service` exits first, with the service's last output in the message.
 */
export async function waitUntilReady(
  what: string,
  service: Service,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${what} exited while starting:\n${service.output()}`);
    if (await ready().catch(() => false)) return;
    if (performance.now() > deadline)
      throw new Error(`${what} not ready after ${timeoutMs} ms:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Finds `name` in the first directory of `dirs` (then PATH) that holds it. */
export function findBinary(name: string, dirs: string[]): string {
  const pathDirs = (process.env.PATH ?? "").split(":").filter(Boolean);
  for (const dir of [...dirs, ...pathDirs]) {
    const candidate = `${dir}/${name}`;
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found (looked in ${[...dirs, "PATH"].join(", ")})`);
}
