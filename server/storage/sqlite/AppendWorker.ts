import { WorkerClient } from "../workerClient.ts";
import type { AppendItem, AppendRequest } from "./appendThread.ts";

/**
 * The main thread's handle on the append worker (appendThread.ts): one batch of appends
 * per request, committed there in one transaction; answers the batch's ids in order, or
 * fails the whole batch (rolled back). Calls in flight fail if the worker dies; the next
 * batch starts a new one.
 */
export class AppendWorker extends WorkerClient<AppendRequest> {
  /** `file`: the SQLite database the worker opens its own connection to. */
  constructor(file: string) {
    super(new URL("./appendThread.ts", import.meta.url), { file }, "append worker");
  }

  append(items: AppendItem[]): Promise<number[]> {
    return this.request({ op: "append", items });
  }
}
