import { LogWorkerClient } from "../logWorker.ts";
import type { BuildResult } from "./pgLogThread.ts";
import type { PostgresTarget } from "./pgPool.ts";

/** How long `close` lets the worker end its pool before stopping it. */
const CLOSE_GRACE_MS = 5000;

/**
 * The main thread's handle on the log worker (pgLogThread.ts): started on first use,
 * answers matched by id, calls in flight failed if it dies (WorkerClient).
 */
export class PgLogWorker extends LogWorkerClient<{ op: "close" }, BuildResult> {
  constructor(target: PostgresTarget) {
    super(
      new URL("./pgLogThread.ts", import.meta.url),
      { url: target.url, schema: target.schema },
      "PostgreSQL log worker",
    );
  }

  /** Lets the requests in flight finish, has the worker end its pool, then stops it. */
  override async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    const ending = worker ? this.request({ op: "close" }).catch(() => undefined) : null;
    this.closed = true;
    if (!worker || !ending) return;
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    await Promise.race([
      ending.then(() => exited),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    this.worker = null;
    await worker.terminate();
  }
}
