import type {
  afterHandleMessagePayload,
  afterLoadDocumentPayload,
  beforeSyncPayload,
  Extension,
} from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import type { Logger } from "../logger.ts";
import { type HoldAcknowledgements, originConnection } from "./PersistenceExtension.ts";

interface Gate {
  resolve(): void;
  reject(): void;
  /** The update the message carried (a SyncStep2's or an Update's). */
  update: Uint8Array;
}

interface GateEntry {
  gate: Gate;
  type: number;
  /**
   * Set when the transaction that applied the message left nothing pending in the
   * document: then every struct and deletion it carried was integrated, and the message
   * need not be decoded to judge it (as isApplied does) on the way to its acknowledgement.
   */
  integratedWhole?: true;
}

/** A connection's updates waiting for its own handshake to bring their dependencies. */
interface Waiting {
  gates: Gate[];
  timer: NodeJS.Timeout;
}

/** How long updates that left something pending may wait for the dependencies to arrive. */
const WAIT_MS = 2000;

/**
 * Never acknowledge an update the document could not integrate.
 *
 * An update whose dependencies the server lacks (structs after a gap in a client's
 * clock, items whose origin it has never seen, deletions of unknown items) is kept
 * by Yjs as "pending": no `update` event fires, so nothing is appended to the store,
 * yet Hocuspocus answers it with SyncStatus(applied). Official providers send in
 * order, but any Yjs client may connect through /yjs. So every write message holds
 * its connection's outgoing frames (its ack among them) until it has been applied.
 *
 * Each message is judged by its own update: applied once every struct and deletion it
 * carries is in the document. Whatever is left pending is dropped (no one was acknowledged
 * for it, and its sender resends it), including pending parts that arrive from another
 * process through Redis (Yjs passes them on in its diffs; that process sends them again
 * once they integrate there), so they are never blamed on this process's clients.
 *
 * One legitimate case leaves something pending: a client reconnecting with offline edits
 * sends a keystroke made during the handshake before its SyncStep2 (which carries the
 * offline edits it builds on, and, since the server's state never counted the dropped
 * part, that part too). So an update from a connection still in its handshake that leaves
 * something pending waits, unacked, for that connection's SyncStep2, up to WAIT_MS: if the
 * SyncStep2 integrates whole, everything waiting is acknowledged. Otherwise no ack is ever
 * sent and the connection closes with `missing-dependencies`: its client keeps the
 * changes as unsynced and, on reconnecting, the handshake asks for everything the server
 * lacks. Other connections are never held up or closed for it (several clients reconnect
 * with offline edits at once when their process dies). Whatever part of a message did
 * integrate was appended durably by PersistenceExtension before any of this, so nothing
 * acknowledged is ever dropped.
 */
export class UpdateOrderExtension implements Extension {
  extensionName = "UpdateOrderExtension";
  // After authentication and presence, before persistence.
  priority = 600;

  private readonly gates = new WeakMap<object, GateEntry>();
  /** Connections whose SyncStep2 has been applied: past their handshake. */
  private readonly handshaken = new WeakSet<object>();
  private readonly waiting = new WeakMap<object, Waiting>();
  private readonly logger: Logger;
  private readonly hold: HoldAcknowledgements;

  constructor(options: { logger: Logger; holdAcknowledgements: HoldAcknowledgements }) {
    this.logger = options.logger;
    this.hold = options.holdAcknowledgements;
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    document.on("afterTransaction", (transaction: Y.Transaction) => {
      const connection = originConnection(transaction.origin);
      if (!connection) return;
      const entry = this.gates.get(connection);
      // Judged at the end of the message's own transaction: a later message's dropPending
      // cannot have cleared this one's pending part yet.
      if (entry && document.store.pendingStructs === null && document.store.pendingDs === null)
        entry.integratedWhole = true;
    });
  }

  async beforeSync({ type, connection, payload }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    if (connection.readOnly) return;
    let gate!: Gate;
    const settled = new Promise<void>((resolve, reject) => {
      gate = { resolve, reject, update: payload };
    });
    settled.catch(() => undefined);
    // A direct (server-side) connection has no acknowledgement to hold.
    if (this.hold(connection, settled, CLOSE_REASONS.missing_dependencies))
      this.gates.set(connection, { gate, type });
  }

  async afterHandleMessage({
    connection,
    document,
    documentName,
  }: afterHandleMessagePayload): Promise<void> {
    const entry = this.gates.get(connection);
    if (!entry) return;
    this.gates.delete(connection);
    const step2 = entry.type === messageYjsSyncStep2;
    const wasHandshaken = this.handshaken.has(connection);
    if (step2) this.handshaken.add(connection);
    // Judged by its own update, not by what else is pending: other messages may have been
    // applied since (hooks await), and Redis brings other processes' pending parts.
    const applied = entry.integratedWhole === true || isApplied(document, entry.gate.update);
    dropPending(document);

    if (applied) {
      entry.gate.resolve();
      // The handshake brought what its earlier updates lacked.
      if (step2) this.settle(connection, document);
      return;
    }
    if (!wasHandshaken && !step2) {
      this.wait(connection, document, documentName, entry.gate);
      return;
    }
    // Its handshake is done (or was this message) and something is still missing.
    this.logger.warn(
      { incident: documentName },
      "update with missing dependencies not acknowledged; connection closed to resync",
    );
    entry.gate.reject();
    this.settle(connection, null);
  }

  private wait(connection: object, document: Y.Doc, documentName: string, gate: Gate): void {
    let waiting = this.waiting.get(connection);
    if (!waiting) {
      const timer = setTimeout(() => {
        const current = this.waiting.get(connection);
        if (!current) return;
        if (current.gates.some((g) => !isApplied(document, g.update)))
          this.logger.warn(
            { incident: documentName },
            "no handshake brought the missing dependencies; waiting updates not acknowledged, connection closed to resync",
          );
        this.settle(connection, document);
      }, WAIT_MS);
      timer.unref();
      waiting = { gates: [], timer };
      this.waiting.set(connection, waiting);
    }
    waiting.gates.push(gate);
  }

  /** Ends the connection's wait: each update applied by now (in `document`) is acknowledged, the rest refused. */
  private settle(connection: object, document: Y.Doc | null): void {
    const waiting = this.waiting.get(connection);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.waiting.delete(connection);
    for (const gate of waiting.gates) {
      if (document && isApplied(document, gate.update)) gate.resolve();
      else gate.reject();
    }
  }
}

/**
 * Whether every struct and deletion of `update` is in `doc`. A client's structs are
 * integrated in clock order with no gaps, so its state covering a struct's end means the
 * struct is in; a deletion of items the document has is applied at once.
 */
function isApplied(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    // A Skip marks a gap in a merged update: it carries nothing.
    if (struct instanceof Y.Skip) continue;
    if (Y.getState(doc.store, struct.id.client) < struct.id.clock + struct.length) return false;
  }
  for (const [client, ranges] of ds.clients)
    for (const range of ranges)
      if (Y.getState(doc.store, client) < range.clock + range.len) return false;
  return true;
}

/**
 * Forgets what Yjs holds back. Safe: no pending part was acknowledged, and its sender
 * resends it (a client in its handshake or on reconnecting, a process once it integrates).
 */
function dropPending(doc: Y.Doc): void {
  doc.store.pendingStructs = null;
  doc.store.pendingDs = null;
}
