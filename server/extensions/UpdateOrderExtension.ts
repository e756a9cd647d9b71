import type { afterHandleMessagePayload, beforeSyncPayload, Extension } from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import type * as Y from "yjs";
import { CLOSE_REASONS } from "../../shared/closeReasons.ts";
import type { Logger } from "../logger.ts";
import { heldSocketOf } from "../sockets/HeldSocket.ts";

interface Gate {
  resolve(): void;
  reject(): void;
}

/**
 * Never acknowledge an update the document could not integrate.
 *
 * An update whose dependencies the server lacks (structs after a gap in a client's
 * clock, items whose origin it has never seen, deletions of unknown items) is kept
 * by Yjs as "pending": no `update` event fires, so nothing is appended to the store,
 * yet Hocuspocus answers it with SyncStatus(applied). Official providers send in
 * order, but any Yjs client may connect through /yjs. So every write message holds
 * its connection's outgoing frames (its ack among them) until it has been applied;
 * if it left anything pending, the pending part is dropped, the ack is never sent,
 * and the connection closes with `missing-dependencies`: the client keeps the change
 * as unsynced and, on reconnecting, the sync handshake asks it for everything the
 * server lacks, in order. Whatever part of the message did integrate has already been
 * appended durably by PersistenceExtension, so nothing acknowledged is ever dropped.
 */
export class UpdateOrderExtension implements Extension {
  extensionName = "UpdateOrderExtension";
  // After authentication and presence, before persistence: the gate must be in place
  // before the update event (inside the apply) holds the socket for durability.
  priority = 600;

  private readonly gates = new WeakMap<object, Gate>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async beforeSync({ type, connection }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    if (connection.readOnly) return;
    const socket = heldSocketOf(connection);
    if (!socket) return;
    let gate!: Gate;
    const settled = new Promise<void>((resolve, reject) => {
      gate = { resolve, reject };
    });
    settled.catch(() => undefined);
    this.gates.set(connection, gate);
    socket.holdUntil(settled, CLOSE_REASONS.missing_dependencies);
  }

  async afterHandleMessage({ connection, document, documentName }: afterHandleMessagePayload): Promise<void> {
    const gate = this.gates.get(connection);
    if (!gate) return;
    this.gates.delete(connection);
    if (!hasPending(document)) {
      gate.resolve();
      return;
    }
    dropPending(document);
    this.logger.warn({ incident: documentName }, "update with missing dependencies not acknowledged; connection closed to resync");
    gate.reject();
  }
}

function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * Forgets what Yjs holds back. Safe: every pending part came from a message that was
 * refused this way, so none of it was acknowledged, and its sender resends it.
 */
function dropPending(doc: Y.Doc): void {
  doc.store.pendingStructs = null;
  doc.store.pendingDs = null;
}
