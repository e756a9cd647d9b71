import { Worker } from "node:worker_threads";
import type {
  BuildResult,
  CheckpointReply,
  CheckpointRequest,
  CompactResult,
} from "./checkpointThread.ts";

type Request = CheckpointRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, "id">
    : never
  : never;

interface Call {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The main thread's handle on the checkpoint worker (checkpointThread.ts): started on
 * first use, one request at a time on its side, answers matched by id. The worker keeps
 * the process alive only while a request is in flight. If it dies, the calls in flight
 * fail and the next request starts a new one.
 */
export class CheckpointWorker {
  private readonly file: string;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();
  private closed = false;

  /** `file`: the SQLite database the worker opens its own connection to. */
  constructor(file: string) {
    this.file = file;
  }

  /** The document's current state, or as it stood at `at`, built in the worker. */
  build(doc: string, at?: number): Promise<BuildResult> {
    return this.request({
      op: "build",
      doc,
      ...(at === undefined ? {} : { at }),
    }) as Promise<BuildResult>;
  }

  compact(
    doc: string,
    options: { every: number; keepMs: number; now: number },
  ): Promise<CompactResult> {
    return this.request({ op: "compact", doc, ...options }) as Promise<CompactResult>;
  }

  /** Copies the WAL into the database file (the store's own connection never does it). */
  walCheckpoint(): Promise<void> {
    return this.request({ op: "wal" }) as Promise<void>;
  }

  /** Waits for the requests in flight, then stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.calls.values()].map(
      (call) =>
        new Promise<void>((resolve) => {
          const { resolve: done, reject } = call;
          call.resolve = (value) => {
            done(value);
            resolve();
          };
          call.reject = (error) => {
            reject(error);
            resolve();
          };
        }),
    );
    await Promise.all(pending);
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private request(message: Request): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./checkpointThread.ts", import.meta.url), {
      workerData: { file: this.file },
    });
    worker.unref();
    worker.on("message", (reply: CheckpointReply) => {
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      if (this.calls.size === 0) worker.unref();
      if (reply.ok) call.resolve(reply.result);
      else call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      const calls = [...this.calls.values()];
      this.calls.clear();
      for (const call of calls) call.reject(error);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`checkpoint worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
