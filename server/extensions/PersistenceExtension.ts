import type {
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  onAuthenticatePayload,
  Document,
  Extension,
  Hocuspocus,
  onConfigurePayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from "@hocuspocus/server";
import * as Y from "yjs";
import { CLOSE_REASONS } from "../../shared/closeReasons.ts";
import { migrate, isIncident, readIncidentSummary } from "../../shared/doc/index.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { HeldSocket } from "../sockets/HeldSocket.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";
import { describeOrigin, systemOrigin } from "./origins.ts";

/** Marks the transaction that fills a document from the store, so it is not appended again. */
const LOADED_FROM_STORE = Symbol("loaded-from-store");

interface PersistenceOptions {
  store: DocumentStore;
  logger: Logger;
  metrics: Metrics;
  checkpointEvery: number;
  historyMs: number;
}

/**
 * Zero-loss persistence. Every update applied to a loaded document is appended to
 * the store from the document's own `update` event, synchronously inside the
 * transaction that applied it, and the origin connection's acknowledgement is held
 * until the append is durable (see HeldSocket). Hocuspocus' debounced store hook
 * only compacts the log into checkpoints and refreshes the list summary.
 */
export class PersistenceExtension implements Extension {
  extensionName = "PersistenceExtension";
  priority = 500;

  private readonly options: PersistenceOptions;
  private readonly pending = new Map<string, Promise<unknown>>();
  /**
   * Documents holding an update the store refused. Their memory is ahead of the store,
   * so nothing may be acknowledged from them (a resent update would be a no-op and get
   * an ack for data never stored): they refuse writes and connections until unloaded,
   * and the next load comes from the store, to which clients resend what they still hold.
   */
  private readonly poisoned = new Set<string>();
  private instance?: Hocuspocus;

  constructor(options: PersistenceOptions) {
    this.options = options;
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    const stop = this.options.metrics.storeLoadSeconds.startTimer();
    const state = await this.options.store.loadState(documentName);
    stop();
    if (state) Y.applyUpdate(document, state, LOADED_FROM_STORE);
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    document.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === LOADED_FROM_STORE) return;
      this.append(document, update, origin);
    });
    if (isIncident(document)) {
      let result = { from: 0, to: 0 };
      document.transact(() => {
        result = migrate(document);
      }, systemOrigin());
      const { from, to } = result;
      if (from !== to) this.options.logger.info({ incident: documentName, from, to }, "document schema migrated");
    }
  }

  /**
   * Runs inside the Yjs transaction that applied `update`. With the embedded store
   * the row is committed before this returns; an async store is awaited by holding
   * the writer's acknowledgement and by `whenDurable` for HTTP writes.
   */
  private append(document: Document, update: Uint8Array, origin: unknown): void {
    const name = document.name;
    const stop = this.options.metrics.storeAppendSeconds.startTimer();
    const durable = this.options.store.appendUpdate(name, update, describeOrigin(origin));
    this.options.metrics.countUpdate();
    const tracked = durable.then(() => {
      stop();
    }, (error: unknown) => {
      this.options.logger.error({ incident: name, err: error }, "durable append failed; closing connections until the document reloads from the store");
      this.poisoned.add(name);
      this.instance?.closeConnections(name);
      throw error;
    });
    const previous = this.pending.get(name) ?? Promise.resolve();
    const chained = Promise.allSettled([previous, tracked]);
    this.pending.set(name, chained);
    void chained.then(() => {
      if (this.pending.get(name) === chained) this.pending.delete(name);
    });
    const socket = connectionSocket(origin);
    if (socket) socket.holdUntil(tracked);
    else void tracked.catch(() => undefined);
  }

  /** Resolves when every update applied to `name` so far is durable; throws store_unavailable if one was not. */
  async whenDurable(name: string): Promise<void> {
    const pending = this.pending.get(name);
    if (pending) await pending;
    if (this.poisoned.has(name)) throw new HotdocError("store_unavailable", `the store refused a write to ${name}; try again`);
  }

  /** Throws store_unavailable while `name` holds an update the store refused. */
  assertWritable(name: string): void {
    if (this.poisoned.has(name)) throw new HotdocError("store_unavailable", `the store refused a write to ${name}; try again`);
  }

  async onAuthenticate({ documentName }: onAuthenticatePayload): Promise<void> {
    if (this.poisoned.has(documentName)) {
      throw { reason: CLOSE_REASONS.store_unavailable.reason, code: CLOSE_REASONS.store_unavailable.code };
    }
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.poisoned.delete(documentName);
  }

  async onStoreDocument({ document, documentName }: onStoreDocumentPayload): Promise<void> {
    await this.whenDurable(documentName).catch(() => undefined);
    if (this.poisoned.has(documentName)) return;
    const { store, checkpointEvery, historyMs } = this.options;
    const result = await store.compact(documentName, { every: checkpointEvery, keepMs: historyMs });
    if (result.checkpointSeq !== null || result.prunedUpdates > 0) {
      this.options.logger.debug({ incident: documentName, ...result }, "store compacted");
    }
    if (isIncident(document)) await store.saveSummary(documentName, readIncidentSummary(document));
  }

  async onDestroy(): Promise<void> {
    await Promise.allSettled([...this.pending.values()]);
  }
}

function connectionSocket(origin: unknown): HeldSocket | undefined {
  if (typeof origin !== "object" || origin === null) return undefined;
  const o = origin as { source?: string; connection?: { webSocket?: unknown } };
  if (o.source !== "connection") return undefined;
  const socket = o.connection?.webSocket;
  return socket instanceof HeldSocket ? socket : undefined;
}
