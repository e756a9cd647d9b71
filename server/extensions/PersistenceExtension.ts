import type {
  afterHandleMessagePayload,
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  beforeSyncPayload,
  beforeUnloadDocumentPayload,
  Connection,
  Document,
  Extension,
  Hocuspocus,
  onAuthenticatePayload,
  onConfigurePayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { CLOSE_REASONS, type CloseReason } from "#shared/closeReasons.ts";
import { isIncident, migrate, readIncidentSummary } from "#shared/doc/index.ts";
import { describeOrigin, fromAnotherProcess, systemOrigin } from "../access/origins.ts";
import { HotdocError, toHotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Stores } from "../storage/stores.ts";
import { applyStored } from "./applyStored.ts";
import { RelayedUpdates } from "./RelayedUpdates.ts";

/** Marks the transaction that fills a document from the store, so it is not appended again. */
const LOADED_FROM_STORE = Symbol("loaded-from-store");

/** What is known of a loaded document's size without encoding it. */
interface SizeTracker {
  /** Estimated encoded size: the loaded (or last checkpointed) state plus every update appended since. An upper bound. */
  bytes: number;
  /** Bytes appended since load, a running total. */
  appended: number;
  /** Updates appended since the last compaction was requested. */
  sinceCompaction: number;
}

/**
 * Holds everything a connection's socket sends from now on (its acknowledgement among it)
 * until `until` settles; if it rejects, those frames are dropped and the socket closes
 * with `failure` (store-unavailable unless said otherwise). False when the connection has
 * no socket to hold (a direct connection). The websocket doors provide it (HeldSocket),
 * so extensions never handle a socket themselves.
 */
export type HoldAcknowledgements = (
  connection: Connection,
  until: Promise<unknown>,
  failure?: CloseReason,
) => boolean;

interface PersistenceOptions {
  /** The update log, and the registry whose list summaries it refreshes. */
  stores: Pick<Stores, "log" | "incidents">;
  logger: Logger;
  metrics: Metrics;
  checkpointEvery: number;
  historyMs: number;
  holdAcknowledgements: HoldAcknowledgements;
}

/**
 * Zero-loss persistence. Every update applied to a loaded document is appended to
 * the store from the document's own `update` event, synchronously inside the
 * transaction that applied it, and the origin connection's acknowledgement is held
 * until the append is durable (`holdAcknowledgements`, HeldSocket in the doors). Hocuspocus' debounced store hook
 * only compacts the log into checkpoints and refreshes the list summary.
 *
 * Compaction also runs every `checkpointEvery` appends and right after a load (so a
 * long tail left by crashes is checkpointed at once), one at a time per document. The
 * store does it off the event loop; here it costs a message, whatever the size.
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
  private readonly sizes = new Map<string, SizeTracker>();
  private readonly compactions = new Map<string, Promise<void>>();
  private readonly compactAgain = new Set<string>();
  /** Updates received from other processes, stored here only when this process must vouch for them. */
  private readonly relayed: RelayedUpdates;

  constructor(options: PersistenceOptions) {
    this.options = options;
    this.relayed = new RelayedUpdates(
      (name, update) => this.track(name, options.stores.log.appendUpdate(name, update, "relay")),
      options.holdAcknowledgements,
    );
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    const stop = this.options.metrics.storeLoadSeconds.startTimer();
    let parts: Uint8Array[] | null;
    try {
      parts = await this.options.stores.log.loadParts(documentName);
    } catch (error) {
      throw loadFailure(error);
    }
    stop();
    if (parts) applyStored(document, parts, LOADED_FROM_STORE);
    this.sizes.set(documentName, {
      bytes: parts?.reduce((sum, part) => sum + part.byteLength, 0) ?? 0,
      appended: 0,
      sinceCompaction: 0,
    });
    // Listening from here, before any afterLoadDocument: what another process sends while
    // this one loads (Redis' initial sync) is relayed content like any other.
    document.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === LOADED_FROM_STORE) return;
      if (fromAnotherProcess(origin)) this.relayed.hold(documentName, update);
      else this.append(document, update, origin);
    });
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    if (isIncident(document)) {
      let result = { from: 0, to: 0 };
      document.transact(() => {
        result = migrate(document);
      }, systemOrigin());
      const { from, to } = result;
      if (from !== to)
        this.options.logger.info({ incident: documentName, from, to }, "document schema migrated");
    }
    // Checkpoint on load: after crashes a document may have thousands of loose updates,
    // which every later load would apply again.
    void this.compactSoon(documentName);
  }

  /** Estimated encoded size of a loaded document in bytes (an upper bound), or 0 when not loaded. */
  documentBytes(name: string): number {
    return this.sizes.get(name)?.bytes ?? 0;
  }

  /**
   * Runs inside the Yjs transaction that applied `update`. Both stores commit the
   * appends of one event-loop turn together, a moment later; the commit is awaited by
   * holding the writer's acknowledgement and by `whenDurable` for HTTP writes.
   */
  private append(document: Document, update: Uint8Array, origin: unknown): void {
    const name = document.name;
    const stop = this.options.metrics.storeAppendSeconds.startTimer();
    const durable = this.options.stores.log.appendUpdate(name, update, describeOrigin(origin));
    const size = this.sizes.get(name);
    if (size) {
      size.bytes += update.byteLength;
      size.appended += update.byteLength;
      // Asked once the append has committed: the store commits a turn's appends together, a
      // moment later, and a compaction that ran first would find the rows missing and
      // count this request as done.
      if (++size.sinceCompaction >= this.options.checkpointEvery)
        void durable.then(() => this.compactSoon(name)).catch(() => undefined);
    }
    this.options.metrics.countUpdate();
    const tracked = this.track(
      name,
      durable.then(() => void stop()),
    );
    const connection = originConnection(origin);
    if (!connection || !this.options.holdAcknowledgements(connection, tracked))
      void tracked.catch(() => undefined);
  }

  /**
   * Chains an append into `whenDurable(name)`. If it fails, the document is poisoned: its
   * memory is ahead of the store, so nothing more may be acknowledged from it.
   */
  private track(name: string, durable: Promise<unknown>): Promise<void> {
    const tracked = durable.then(
      () => undefined,
      (error: unknown) => {
        this.options.logger.error(
          { incident: name, err: error },
          "durable append failed; closing connections until the document reloads from the store",
        );
        this.poison(name);
        throw error;
      },
    );
    const previous = this.pending.get(name) ?? Promise.resolve();
    const chained = Promise.allSettled([previous, tracked]);
    this.pending.set(name, chained);
    void chained.then(() => {
      if (this.pending.get(name) === chained) this.pending.delete(name);
    });
    return tracked;
  }

  async beforeSync({ type, connection, documentName }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    if (connection.readOnly) return;
    // Its acknowledgement waits for the relayed updates it may duplicate to be durable.
    this.relayed.holdUntilApplied(connection, documentName);
  }

  async afterHandleMessage({ connection }: afterHandleMessagePayload): Promise<void> {
    this.relayed.applied(connection);
  }

  /**
   * Marks `name` as holding what the store does not: nothing more is acknowledged from
   * it, its connections close, and it is loaded afresh from the store once unloaded.
   */
  private poison(name: string): void {
    this.poisoned.add(name);
    this.instance?.closeConnections(name);
  }

  /** Resolves when every update applied to `name` so far is durable; throws store_unavailable if one was not. */
  async whenDurable(name: string): Promise<void> {
    await this.relayed.store(name).catch(() => undefined);
    const pending = this.pending.get(name);
    if (pending) await pending;
    if (this.poisoned.has(name))
      throw new HotdocError("store_unavailable", `the store refused a write to ${name}; try again`);
  }

  /** Throws store_unavailable while `name` holds an update the store refused. */
  assertWritable(name: string): void {
    if (this.poisoned.has(name))
      throw new HotdocError("store_unavailable", `the store refused a write to ${name}; try again`);
  }

  async onAuthenticate({ documentName }: onAuthenticatePayload): Promise<void> {
    if (this.poisoned.has(documentName)) {
      throw {
        reason: CLOSE_REASONS.store_unavailable.reason,
        code: CLOSE_REASONS.store_unavailable.code,
      };
    }
  }

  async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
    // What this process holds of other processes' updates is stored before it forgets it.
    await this.relayed.store(documentName).catch(() => undefined);
  }

  /**
   * Merges the stored state into the loaded document (not appended: it is stored). After
   * Redis was away, a process that edited a document meanwhile may have left (or died):
   * its edits are in the store, and this brings them to this process's clients.
   */
  async mergeStored(name: string): Promise<void> {
    const document = this.instance?.documents.get(name);
    if (!document) return;
    const state = await this.options.stores.log.loadState(name);
    if (state) Y.applyUpdate(document, state, LOADED_FROM_STORE);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.poisoned.delete(documentName);
    this.sizes.delete(documentName);
    this.relayed.forget(documentName);
  }

  async onStoreDocument({ document, documentName }: onStoreDocumentPayload): Promise<void> {
    await this.whenDurable(documentName).catch(() => undefined);
    if (this.poisoned.has(documentName)) return;
    await this.compactSoon(documentName);
    if (isIncident(document))
      await this.options.stores.incidents.saveSummary(documentName, readIncidentSummary(document));
  }

  /**
   * Compacts `name` unless a compaction of it is running, in which case that one runs
   * once more when it ends. Resolves when the document is compacted; never rejects (a
   * failed compaction loses nothing: the log is the truth, and the next one retries).
   */
  private compactSoon(name: string): Promise<void> {
    const running = this.compactions.get(name);
    if (running) {
      this.compactAgain.add(name);
      return running;
    }
    const run = (async () => {
      do {
        this.compactAgain.delete(name);
        if (this.poisoned.has(name)) return;
        const size = this.sizes.get(name);
        const appendedBefore = size?.appended ?? 0;
        if (size) size.sinceCompaction = 0;
        const { stores, checkpointEvery, historyMs } = this.options;
        try {
          const result = await stores.log.compact(name, {
            every: checkpointEvery,
            keepMs: historyMs,
          });
          // The checkpoint covers at least every update appended before the request, so
          // its size plus what came after is again an upper bound, without the drift of
          // deleted and overwritten content.
          if (size && typeof result.checkpointBytes === "number" && this.sizes.get(name) === size) {
            size.bytes = result.checkpointBytes + (size.appended - appendedBefore);
          }
          // A checkpoint is rare (its size grows geometrically) and worth a line; pruning alone is routine.
          if (result.checkpointSeq !== null)
            this.options.logger.info({ incident: name, ...result }, "checkpoint written");
          else if (result.prunedUpdates > 0)
            this.options.logger.debug({ incident: name, ...result }, "store compacted");
        } catch (error) {
          this.options.logger.warn(
            { incident: name, err: error },
            "compaction failed; the update log is intact and the next compaction retries",
          );
        }
      } while (this.compactAgain.has(name));
    })().finally(() => this.compactions.delete(name));
    this.compactions.set(name, run);
    return run;
  }

  async onDestroy(): Promise<void> {
    await Promise.allSettled([...this.pending.values(), ...this.compactions.values()]);
  }
}

/**
 * A failed load as Hocuspocus passes it on: a websocket client is refused with its
 * `reason` (store-unavailable, which clients retry, rather than an untyped refusal they
 * take as final); a server-side caller gets the typed error (503).
 */
function loadFailure(error: unknown): unknown {
  const typed = toHotdocError(error);
  if (typed.code !== "store_unavailable") return error;
  return Object.assign(typed, { reason: CLOSE_REASONS.store_unavailable.reason });
}

/** The websocket connection an update came from, if it came from one. */
export function originConnection(origin: unknown): Connection | undefined {
  if (typeof origin !== "object" || origin === null) return undefined;
  const o = origin as { source?: string; connection?: Connection };
  return o.source === "connection" ? o.connection : undefined;
}
