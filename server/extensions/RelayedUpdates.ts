import type { Connection } from "@hocuspocus/server";
import * as Y from "yjs";

/** Relayed updates are stored here at the latest this long after the first arrived (see `hold`). */
const RELAY_KEEP_MS = 5000;
/** Held relayed updates are merged into one once there are this many. */
const RELAY_MERGE_AT = 64;

/**
 * Updates that reached this process through Redis. The process that accepted one
 * stores it and acknowledges its writer; this one does not append it again. But that
 * process may die before its append commits, and its writer then reconnects here and
 * resends the update, which changes nothing here (it is already in memory) and would
 * be acknowledged at once. So relayed updates are kept until this process has to vouch
 * for its memory: before it acknowledges one of its own writers (`holdUntilApplied`,
 * from beforeSync, released by `applied`, from afterHandleMessage) or answers a
 * server-side write, and at the latest after RELAY_KEEP_MS, it appends what it holds of
 * them, merged into one update (a copy where the original was stored too: Yjs merges it
 * away). A document only one process edits stores each update once.
 */
export class RelayedUpdates {
  /** Updates received from other processes and not yet stored here. */
  private readonly relayed = new Map<string, { updates: Uint8Array[]; timer: NodeJS.Timeout }>();
  /** Write messages being applied, per connection: their acknowledgement waits on `store`. */
  private readonly releases = new WeakMap<object, () => void>();
  /** Appends `update` (the held ones of `name`, merged); resolves once durable. */
  private readonly append: (name: string, update: Uint8Array) => Promise<void>;
  /** PersistenceExtension's `holdAcknowledgements` (its type is not imported: that would be a cycle). */
  private readonly holdAcknowledgements: (
    connection: Connection,
    until: Promise<unknown>,
  ) => boolean;

  constructor(
    append: (name: string, update: Uint8Array) => Promise<void>,
    holdAcknowledgements: (connection: Connection, until: Promise<unknown>) => boolean,
  ) {
    this.append = append;
    this.holdAcknowledgements = holdAcknowledgements;
  }

  /** Keeps an update relayed from another process until `store(name)`. */
  hold(name: string, update: Uint8Array): void {
    let held = this.relayed.get(name);
    if (!held) {
      const timer = setTimeout(() => void this.store(name).catch(() => undefined), RELAY_KEEP_MS);
      timer.unref();
      held = { updates: [], timer };
      this.relayed.set(name, held);
    }
    held.updates.push(update);
    if (held.updates.length >= RELAY_MERGE_AT) held.updates = [Y.mergeUpdates(held.updates)];
  }

  /** Appends the relayed updates `name` holds, merged; resolves once durable (at once if none). */
  store(name: string): Promise<void> {
    const held = this.relayed.get(name);
    if (!held) return Promise.resolve();
    this.relayed.delete(name);
    clearTimeout(held.timer);
    const merged = held.updates.length === 1 ? held.updates[0] : Y.mergeUpdates(held.updates);
    return this.append(name, merged);
  }

  /**
   * The acknowledgement of the write message `connection` sent is held until what it may
   * duplicate is durable: the relayed updates held once it has been applied (`applied`).
   */
  holdUntilApplied(connection: Connection, name: string): void {
    let release!: () => void;
    const applied = new Promise<void>((resolve) => {
      release = resolve;
    });
    const durable = applied.then(() => this.store(name));
    durable.catch(() => undefined);
    if (this.holdAcknowledgements(connection, durable)) this.releases.set(connection, release);
  }

  /** The message `connection` sent has been applied: its held acknowledgement may go once stored. */
  applied(connection: Connection): void {
    const release = this.releases.get(connection);
    if (!release) return;
    this.releases.delete(connection);
    release();
  }

  /** Drops what `name` holds, unstored (the document is unloaded). */
  forget(name: string): void {
    const held = this.relayed.get(name);
    if (held) clearTimeout(held.timer);
    this.relayed.delete(name);
  }
}
