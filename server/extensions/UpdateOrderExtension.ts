import type {
  afterHandleMessagePayload,
  beforeSyncPayload,
  Document,
  Extension,
} from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import type * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import type { Logger } from "../logger.ts";
import type { HoldAcknowledgements } from "./PersistenceExtension.ts";

interface Gate {
  resolve(): void;
  reject(): void;
}

/** Updates of one document waiting for a handshake to bring their dependencies. */
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
 * One legitimate case leaves something pending for a moment: a client reconnecting
 * with offline edits sends a keystroke made during the handshake before its SyncStep2
 * (which carries the offline edits it builds on). So while a connection has not yet
 * had its SyncStep2 applied, an update that leaves something pending waits, unacked,
 * for up to WAIT_MS; when the pending part integrates, everything waiting is
 * acknowledged. Otherwise the pending part is dropped, no ack is ever sent, and the
 * connections that waited close with `missing-dependencies`: their clients keep the
 * changes as unsynced and, on reconnecting, the handshake asks for everything the
 * server lacks. Whatever part of a message did integrate was appended durably by
 * PersistenceExtension before any of this, so nothing acknowledged is ever dropped.
 */
export class UpdateOrderExtension implements Extension {
  extensionName = "UpdateOrderExtension";
  // After authentication and presence, before persistence.
  priority = 600;

  private readonly gates = new WeakMap<object, { gate: Gate; type: number }>();
  /** Connections whose SyncStep2 has been applied: past their handshake. */
  private readonly handshaken = new WeakSet<object>();
  private readonly waiting = new WeakMap<Document, Waiting>();
  private readonly logger: Logger;
  private readonly hold: HoldAcknowledgements;

  constructor(options: { logger: Logger; holdAcknowledgements: HoldAcknowledgements }) {
    this.logger = options.logger;
    this.hold = options.holdAcknowledgements;
  }

  async beforeSync({ type, connection }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    if (connection.readOnly) return;
    let gate!: Gate;
    const settled = new Promise<void>((resolve, reject) => {
      gate = { resolve, reject };
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
    const wasHandshaken = this.handshaken.has(connection);
    if (entry.type === messageYjsSyncStep2) this.handshaken.add(connection);
    const waiting = this.waiting.get(document);

    if (!hasPending(document)) {
      entry.gate.resolve();
      if (waiting) this.settle(document, waiting, true);
      return;
    }
    // Something is pending. Wait if this connection is still in its handshake, or if
    // others are waiting (the pending part may be theirs, to be filled by their step 2).
    if (!wasHandshaken && entry.type !== messageYjsSyncStep2) {
      this.wait(document, documentName, entry.gate);
      return;
    }
    if (waiting && entry.type !== messageYjsSyncStep2) {
      this.wait(document, documentName, entry.gate);
      return;
    }
    // A handshake completed (or a connection past it wrote) and something is still missing.
    dropPending(document);
    this.logger.warn(
      { incident: documentName },
      "update with missing dependencies not acknowledged; connection closed to resync",
    );
    entry.gate.reject();
    if (waiting) this.settle(document, waiting, false);
  }

  private wait(document: Document, documentName: string, gate: Gate): void {
    let waiting = this.waiting.get(document);
    if (!waiting) {
      const timer = setTimeout(() => {
        const current = this.waiting.get(document);
        if (!current) return;
        const integrated = !hasPending(document);
        if (!integrated) {
          dropPending(document);
          this.logger.warn(
            { incident: documentName },
            "dependencies never arrived; waiting updates not acknowledged, connections closed to resync",
          );
        }
        this.settle(document, current, integrated);
      }, WAIT_MS);
      timer.unref();
      waiting = { gates: [], timer };
      this.waiting.set(document, waiting);
    }
    waiting.gates.push(gate);
  }

  private settle(document: Document, waiting: Waiting, integrated: boolean): void {
    clearTimeout(waiting.timer);
    this.waiting.delete(document);
    for (const gate of waiting.gates) {
      if (integrated) gate.resolve();
      else gate.reject();
    }
  }
}

function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * Forgets what Yjs holds back. Safe: every pending part came from a message that was
 * refused this way (or is waiting and refused with it), so none of it was acknowledged,
 * and its sender resends it.
 */
function dropPending(doc: Y.Doc): void {
  doc.store.pendingStructs = null;
  doc.store.pendingDs = null;
}
