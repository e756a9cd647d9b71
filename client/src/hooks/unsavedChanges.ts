import * as decoding from "lib0/decoding";
import { useSyncExternalStore } from "react";

/**
 * While online, a change is shown as not yet saved only once it has waited this long for
 * the server: a normal round trip never makes the count flicker while someone types.
 */
const GRACE_MS = 1000;
/** Subscribers hear of a new count at most this often, however fast changes are made. */
const PUBLISH_MS = 200;

/** Hocuspocus message types and Yjs sync steps this ledger reads (node_modules/@hocuspocus/provider/src/types.ts, y-protocols/sync). */
const SYNC = 0;
const SYNC_STATUS = 8;
const SYNC_STEP_1 = 0;

/** Changes carried by one message in flight, and when the oldest of them was made. */
interface Batch {
  changes: number;
  since: number;
}

/**
 * The changes made in this tab that the server has not acknowledged, counted exactly.
 *
 * The provider's own `unsyncedChanges` cannot say this: it restarts at 1 on every
 * connection (for the sync step that carries what the server lacks), and updates it
 * queued while offline are flushed on the next connection ahead of that step, so their
 * acknowledgements bring it to 0 before the sync carrying every offline change has been
 * acknowledged. Here, instead:
 *
 * - a change made while the socket is open is sent on its own (`sent`); one made while
 *   it is not waits in the backlog (`held`; the page does not let the provider queue it);
 * - the sync step 2 the provider sends on each connection, answering the server's sync
 *   step 1, carries the whole backlog (`syncSent`);
 * - the server acknowledges every update and sync step 2 in the order it got them, and
 *   only once the update is durable (server/sockets/HeldSocket.ts), so each
 *   acknowledgement settles the oldest message in flight (`acknowledged`);
 * - when the socket closes, what was in flight on it goes back to the backlog (`socketClosed`).
 *
 * It is also a small store (`subscribe`), published at most every PUBLISH_MS, so only the
 * components showing the count re-render, not the page.
 */
export class UnsavedChanges {
  private backlog = 0;
  private backlogSince = 0;
  private readonly inFlight: Batch[] = [];
  private published = { count: 0, overdue: false };
  private readonly listeners = new Set<() => void>();
  private publishTimer: ReturnType<typeof setTimeout> | null = null;
  private overdueTimer: ReturnType<typeof setTimeout> | null = null;

  /** A change made while no socket is open: the next connection's sync carries it. */
  held(now = Date.now()): void {
    this.hold({ changes: 1, since: now });
    this.changed();
  }

  /** A change sent to the server as it was made. */
  sent(now = Date.now()): void {
    this.inFlight.push({ changes: 1, since: now });
    this.changed();
  }

  /** The connection's sync step 2 was sent: it carries every change in the backlog. */
  syncSent(): void {
    this.inFlight.push({ changes: this.backlog, since: this.backlogSince });
    this.backlog = 0;
    this.changed();
  }

  /** The server acknowledged the oldest message in flight (`applied` false: it refused it, read-only). */
  acknowledged(applied: boolean): void {
    const batch = this.inFlight.shift();
    if (!batch) return;
    if (!applied) this.hold(batch);
    this.changed();
  }

  /** The socket closed: what was in flight on it may never have arrived, so the next sync carries it. */
  socketClosed(): void {
    for (const batch of this.inFlight.splice(0)) this.hold(batch);
    this.changed();
  }

  /** Every change not yet acknowledged, as of now. */
  count(): number {
    return this.backlog + this.inFlight.reduce((sum, batch) => sum + batch.changes, 0);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * The count to show, as last published: all of it while not online; while online, only
   * once the oldest change has waited longer than a round trip should take.
   */
  shown(online: boolean): number {
    return online && !this.published.overdue ? 0 : this.published.count;
  }

  /** Stops the timers (the doc it counts for is gone). */
  dispose(): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    if (this.overdueTimer) clearTimeout(this.overdueTimer);
    this.publishTimer = this.overdueTimer = null;
    this.listeners.clear();
  }

  private hold(batch: Batch): void {
    if (batch.changes === 0) return;
    this.backlogSince = this.backlog === 0 ? batch.since : Math.min(this.backlogSince, batch.since);
    this.backlog += batch.changes;
  }

  /** When the oldest unacknowledged change was made, or null when there is none. */
  private oldest(): number | null {
    let oldest = this.backlog > 0 ? this.backlogSince : Number.POSITIVE_INFINITY;
    for (const batch of this.inFlight)
      if (batch.changes > 0) oldest = Math.min(oldest, batch.since);
    return Number.isFinite(oldest) ? oldest : null;
  }

  private changed(): void {
    this.publishTimer ??= setTimeout(() => {
      this.publishTimer = null;
      this.publish();
    }, PUBLISH_MS);
  }

  private publish(): void {
    if (this.overdueTimer) clearTimeout(this.overdueTimer);
    this.overdueTimer = null;
    const count = this.count();
    const oldest = this.oldest();
    const waited = oldest === null ? 0 : Date.now() - oldest;
    const overdue = oldest !== null && waited >= GRACE_MS;
    // Publish again when the oldest change becomes overdue, if nothing else happens first.
    if (oldest !== null && !overdue) {
      this.overdueTimer = setTimeout(() => this.publish(), GRACE_MS - waited);
    }
    if (count === this.published.count && overdue === this.published.overdue) return;
    this.published = { count, overdue };
    for (const listener of this.listeners) listener();
  }
}

/** The number of unsaved changes to show (see `UnsavedChanges.shown`); re-renders only when it changes. */
export function useUnsavedCount(unsaved: UnsavedChanges, online: boolean): number {
  return useSyncExternalStore(unsaved.subscribe, () => unsaved.shown(online));
}

/** True for the server's sync step 1 (its state vector), which the provider answers with a sync step 2. */
export function isSyncStep1(message: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder) === SYNC && decoding.readVarUint(decoder) === SYNC_STEP_1;
  } catch {
    return false;
  }
}

/** For an acknowledgement from the server (SyncStatus), whether it applied the message; otherwise null. */
export function acknowledgement(message: Uint8Array): boolean | null {
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== SYNC_STATUS) return null;
    return decoding.readVarInt(decoder) === 1;
  } catch {
    return null;
  }
}
