/**
 * Requests from the main thread to a store's worker thread, and the worker's replies:
 * the client on the main thread, the replying on the worker's.
 */
import { type MessagePort, Worker } from "node:worker_threads";

/** What a worker answers to request `id`. */
type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** A request as the worker receives it: numbered by the client, for the reply to name. */
export type Numbered<Request> = Request & { id: number };

interface Call {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The main thread's handle on a worker: started on first use, answers matched by id.
 * The worker keeps the process alive only while a request is in flight. If it dies, the
 * calls in flight fail and the next request starts a new one.
 */
export class WorkerClient<Request extends object> {
  protected worker: Worker | null = null;
  protected closed = false;
  private readonly script: URL;
  private readonly data: unknown;
  private readonly name: string;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  /** `script` runs in the worker, with `data` as its workerData; `name` tells its exit apart. */
  constructor(script: URL, data: unknown, name: string) {
    this.script = script;
    this.data = data;
    this.name = name;
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

  /** Sends `message` (starting the worker if need be); settles with the worker's reply. */
  protected request<Result>(message: Request): Promise<Result> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: this.data });
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
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
    worker.on("exit", (code) => fail(new Error(`${this.name} exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/**
 * Answers request `id` with `result`. A built `state` in it is moved to the main thread,
 * not copied: first copied into bytes of its own when it shares a larger buffer.
 */
export function postResult(port: MessagePort, id: number, result: unknown): void {
  const transfer: ArrayBuffer[] = [];
  const built = result as { state?: Uint8Array | null } | null;
  if (built?.state) {
    const s = built.state;
    const owned =
      s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? s : new Uint8Array(s);
    built.state = owned;
    transfer.push(owned.buffer as ArrayBuffer);
  }
  port.postMessage({ id, ok: true, result } satisfies WorkerReply, transfer);
}

/** Answers request `id` with the failure `error` (its name and message). */
export function postError(port: MessagePort, id: number, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  port.postMessage({
    id,
    ok: false,
    error: { name: e.name, message: e.message },
  } satisfies WorkerReply);
}
