import net from "node:net";
import os from "node:os";
import {
  findBinary,
  freePort,
  type Service,
  spawnService,
  waitUntilReady,
} from "./localService.ts";

/**
 * A Redis server of the test's own, for tests that stop it (the shared one on 6379 is
 * never stopped). No persistence: a restart starts empty, as a replacement Redis would.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Shuts it down (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port; waits until it answers PING. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const redisServer = findBinary("redis-server", ["/usr/bin", "/usr/local/bin"]);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: Service | null = null;

  const start = async () => {
    if (server) throw new Error("private Redis is already running");
    const started = spawnService(
      redisServer,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        // Its working directory, where it would write a dump, is a neutral one.
        "--dir",
        os.tmpdir(),
      ],
      { cwd: os.tmpdir(), deathSignal: "SIGTERM" },
    );
    server = started;
    void started.exited.then(() => {
      if (server === started) server = null;
    });
    try {
      await waitUntilReady("private Redis", started, () => answersPing(port), 10_000);
    } catch (error) {
      await started.stop("SIGKILL");
      throw error;
    }
  };
  const stop = async () => {
    await server?.stop("SIGTERM");
    server = null;
  };

  await start();
  return { port, url, start, stop, destroy: stop };
}

/** One raw PING over RESP (the "+PONG" simple-string reply, redis.io/docs/latest/develop/reference/protocol-spec). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += String(chunk);
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
