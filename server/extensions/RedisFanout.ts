import crypto from "node:crypto";
import { Redis as HocuspocusRedis } from "@hocuspocus/extension-redis";
import type {
  afterLoadDocumentPayload,
  beforeBroadcastStatelessPayload,
  Document,
  onAwarenessUpdatePayload,
  onChangePayload,
  onStoreDocumentPayload,
} from "@hocuspocus/server";
import { Redis as IORedis } from "ioredis";
import type { Logger } from "../logger.ts";

/** What the extension reaches of @hocuspocus/extension-redis' internals (private in its types). */
interface RedisInternals {
  documents: Map<string, Document>;
  replySubscription: Promise<void>;
  publishFirstSyncStep(name: string, document: Document): Promise<unknown>;
  subKey(name: string): string;
  replyKey(identifier: string): string;
}

interface RedisFanoutOptions {
  url: string;
  /** Keys and channels start with it: processes share documents only under the same prefix. */
  prefix: string;
  processName: string;
  logger: Logger;
  /** Merges the stored state of a loaded document into it (after Redis was away). */
  mergeStored(doc: string): Promise<void>;
}

/**
 * Fan-out between hotdoc processes through Redis, with @hocuspocus/extension-redis: an
 * update accepted by one process reaches the clients of every other process that has
 * the document loaded. Redis carries updates only; it stores nothing (the update log
 * does), and updates arriving through it have origin `redis`, which the persistence,
 * announcement and topic extensions leave to the process that accepted them.
 *
 * Around the extension: while Redis is unreachable each process goes on serving its own
 * clients (loads do not wait for a subscription, changes are not queued for Redis, the
 * store lock is skipped: compaction is safe across processes by itself). When both
 * connections are back, every loaded document is subscribed again, merges what the store
 * holds (edits made meanwhile on a process that has since let the document go) and
 * announces its state vector, so processes exchange whatever they missed, none lost.
 */
export class RedisFanout extends HocuspocusRedis {
  extensionName = "RedisFanout";
  private readonly fanout: RedisFanoutOptions;
  private readonly identity: string;
  /** Subscribed to the reply channel and every loaded document: fan-out is on. */
  private live = false;
  private wasDown = false;
  private resyncing = false;

  constructor(options: RedisFanoutOptions) {
    const identifier = `${options.processName}-${crypto.randomBytes(4).toString("hex")}`;
    const client = () =>
      new IORedis(options.url, {
        // Nothing waits for Redis: a command while it is down fails at once.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
      });
    super({ createClient: client, identifier, prefix: options.prefix, disconnectDelay: 500 });
    this.fanout = options;
    this.identity = identifier;
    for (const connection of [this.pub, this.sub]) {
      connection.on("error", (error: Error) => this.down(error.message));
      connection.on("close", () => this.down("connection closed"));
      connection.on("ready", () => void this.resync());
    }
  }

  private down(reason: string): void {
    if (!this.wasDown)
      this.fanout.logger.warn(
        { reason },
        "redis unreachable; serving this process's clients alone",
      );
    this.wasDown = true;
    this.live = false;
  }

  /** Whether fan-out is on (for /healthz). */
  get up(): boolean {
    return this.live && this.pub.status === "ready" && this.sub.status === "ready";
  }

  async onDestroy(): Promise<void> {
    await super.onDestroy();
  }

  async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<void> {
    if (this.up) {
      try {
        await super.afterLoadDocument(payload);
        return;
      } catch (error) {
        // Redis went away during the load: the document is served all the same.
        if (this.up) throw error;
      }
    }
    // Redis is down: serve the document from the store alone; `resync` subscribes it later.
    this.internals.documents.set(payload.documentName, payload.document);
  }

  async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    if (this.up) await super.onAwarenessUpdate(payload);
  }

  async beforeBroadcastStateless(payload: beforeBroadcastStatelessPayload): Promise<number> {
    return this.up ? super.beforeBroadcastStateless(payload) : 0;
  }

  async onChange(data: onChangePayload): Promise<void> {
    if (this.up) await super.onChange(data);
  }

  async onStoreDocument(payload: onStoreDocumentPayload): Promise<void> {
    if (this.up) await super.onStoreDocument(payload);
  }

  /** Once both connections are ready (again): subscribe every loaded document and catch up. */
  private async resync(): Promise<void> {
    if (this.resyncing || this.pub.status !== "ready" || this.sub.status !== "ready") return;
    this.resyncing = true;
    try {
      // The extension subscribed its reply channel when constructed; with Redis down then
      // (or since), that failed: subscribe it again before anything waits on a reply.
      const reply = this.sub
        .subscribe(this.internals.replyKey(this.identity))
        .then(() => undefined);
      this.internals.replySubscription = reply;
      await reply;
      const documents = [...this.internals.documents.entries()];
      for (const [name] of documents) await this.sub.subscribe(this.internals.subKey(name));
      this.live = true;
      if (this.wasDown) {
        this.wasDown = false;
        for (const [name, document] of documents) {
          await this.fanout.mergeStored(name);
          await this.internals.publishFirstSyncStep(name, document);
        }
        this.fanout.logger.info({ documents: documents.length }, "redis back; documents resynced");
      }
    } catch (error) {
      this.down(`resync failed: ${String(error)}`);
      const retry = setTimeout(() => void this.resync(), 1000);
      retry.unref();
    } finally {
      this.resyncing = false;
    }
  }

  private get internals(): RedisInternals {
    return this as unknown as RedisInternals;
  }
}
