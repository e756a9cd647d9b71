import type { WebSocketLike } from "@hocuspocus/server";
import { CLOSE_REASONS } from "../../shared/closeReasons.ts";

/** What HeldSocket needs of the socket underneath: a `ws` WebSocket or a protocol translator. */
export interface RawSocket {
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/**
 * The websocket handed to Hocuspocus. Hocuspocus acknowledges an update (SyncStatus)
 * right after applying it in memory; `holdUntil` delays everything this socket sends
 * until the update's durable append has resolved, so a client never sees an ack for
 * an update the store does not have. Order is kept: later frames queue behind the hold.
 * If the append fails, queued frames are dropped and the socket closes, so the client
 * keeps its changes as unsynced and resends them after reconnecting.
 */
export class HeldSocket implements WebSocketLike {
  private tail: Promise<void> | null = null;
  private failed = false;

  private readonly ws: RawSocket;

  constructor(ws: RawSocket) {
    this.ws = ws;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.failed) return;
    if (this.tail === null) {
      this.ws.send(data as Uint8Array);
      return;
    }
    this.tail = this.tail.then(() => {
      if (!this.failed && this.ws.readyState === OPEN) this.ws.send(data as Uint8Array);
    });
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  holdUntil(durable: Promise<unknown>): void {
    const previous = this.tail ?? Promise.resolve();
    const next = previous.then(
      () => durable.then(
        () => undefined,
        () => {
          this.failed = true;
          this.ws.close(CLOSE_REASONS.store_unavailable.code, CLOSE_REASONS.store_unavailable.reason);
        },
      ),
    );
    this.tail = next;
    void next.then(() => {
      if (this.tail === next) this.tail = null;
    });
  }
}
