import { MessageType, type WebSocketLike } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import { WebSocket } from "ws";
import { CLOSE_REASONS, type CloseReason } from "#shared/closeReasons.ts";
import { readFrameType } from "./frameType.ts";

/** What HeldSocket needs of the socket underneath: a `ws` WebSocket or a protocol translator. */
export interface RawSocket {
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/**
 * The websocket handed to Hocuspocus. Hocuspocus acknowledges an update (SyncStatus)
 * right after applying it in memory; `holdUntil` delays this socket's acknowledgements
 * until the update's durable append has resolved, so a client never sees an ack for
 * an update the store does not have. Acknowledgements keep their order: each waits for
 * every hold before it. Every other frame (other people's edits, presence) is sent at
 * once, so a responder's live view never waits on the disk for their own last keystroke.
 * If an append fails, the held acknowledgements are dropped and the socket closes, so the
 * client keeps its changes as unsynced and resends them after reconnecting. Any other
 * gate (an update that could not be fully integrated) holds and fails the same way.
 */
export class HeldSocket implements WebSocketLike {
  private tail: Promise<void> | null = null;
  private failed = false;
  /** Set once any document on this socket has authenticated (see armAuthDeadline; AuthenticationExtension reports it). */
  isAuthenticated = false;

  private readonly ws: RawSocket;

  constructor(ws: RawSocket) {
    this.ws = ws;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.failed) return;
    if (this.tail === null || !isAcknowledgement(data as Uint8Array)) {
      this.ws.send(data as Uint8Array);
      return;
    }
    this.tail = this.tail.then(() => {
      if (!this.failed && this.ws.readyState === WebSocket.OPEN) this.ws.send(data as Uint8Array);
    });
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /**
   * Holds every frame sent from now on until `gate` settles; if it rejects, those frames
   * are dropped and the socket closes with `failure` (the store refused the write, unless
   * the caller says otherwise).
   */
  holdUntil(gate: Promise<unknown>, failure: CloseReason = CLOSE_REASONS.store_unavailable): void {
    const previous = this.tail ?? Promise.resolve();
    const next = previous.then(() =>
      gate.then(
        () => undefined,
        () => {
          this.failed = true;
          this.ws.close(failure.code, failure.reason);
        },
      ),
    );
    this.tail = next;
    void next.then(() => {
      if (this.tail === next) this.tail = null;
    });
  }
}

/** Whether a Hocuspocus frame (its address, then its type) is a SyncStatus acknowledgement. */
function isAcknowledgement(frame: Uint8Array): boolean {
  try {
    const type = readFrameType(decoding.createDecoder(frame));
    return type === undefined || type === MessageType.SyncStatus;
  } catch {
    // Not a frame Hocuspocus builds; keep it in order with the acknowledgements.
    return true;
  }
}

/** The HeldSocket behind a Hocuspocus connection, if it has one (direct connections do not). */
export function heldSocketOf(
  connection: { webSocket?: unknown } | undefined,
): HeldSocket | undefined {
  const socket = connection?.webSocket;
  return socket instanceof HeldSocket ? socket : undefined;
}
