import { LogWorkerClient } from "../logWorker.ts";
import type { BuildResult } from "./checkpointThread.ts";

/**
 * The main thread's handle on the checkpoint worker (checkpointThread.ts): started on
 * first use, one request at a time on its side, answers matched by id, calls in flight
 * failed if it dies (WorkerClient). `close` waits for the requests in flight, then stops
 * it.
 */
export class CheckpointWorker extends LogWorkerClient<{ op: "wal" }, BuildResult> {
  /** `file`: the SQLite database the worker opens its own connection to. */
  constructor(file: string) {
    super(new URL("./checkpointThread.ts", import.meta.url), { file }, "checkpoint worker");
  }

  /** Copies the WAL into the database file (the store's own connection never does it). */
  walCheckpoint(): Promise<void> {
    return this.request({ op: "wal" });
  }
}
