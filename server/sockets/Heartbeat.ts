import { MessageType } from "@hocuspocus/server";
import { WebSocket } from "ws";

/** The connection-level Ping the Hocuspocus v4 provider answers (a frame of this one byte). */
const PING = new Uint8Array([MessageType.Ping]);

/**
 * The link heartbeat (shared/heartbeat.ts): every interval, each page socket that has
 * authenticated gets a one-byte Ping. The provider answers it with a one-byte Pong by
 * itself, and counts both as traffic, so a page hears from the server at least once a
 * beat and can tell a dead link within seconds.
 *
 * Pings go on the raw socket, past HeldSocket's holds: they say the link is alive, not
 * that anything was saved, so a slow write must not delay them. A Pong that answers a
 * Ping is taken off the socket before Hocuspocus sees it (Hocuspocus 4.7 has no handler
 * for them): it is not a message about any document, so it never touches one, never
 * reaches a hook, and is not counted against the per-token message budget, which a
 * viewer link shared by many stakeholders would otherwise spend on heartbeats alone.
 * Only answers are free: each socket may send as many Pongs as it was sent Pings (the
 * provider answers each Ping once, in order, on the socket it came on). Any other frame
 * that looks like a Pong is not taken (`takePong`), and Hocuspocus handles it as it
 * handles any frame a client sends.
 */
export class Heartbeat {
  /** The raw socket under each HeldSocket the collaboration endpoint made. */
  private readonly raw = new WeakMap<object, WebSocket>();
  private readonly beating = new Set<WebSocket>();
  /** Pings sent on each socket that no Pong has answered yet. */
  private readonly unanswered = new WeakMap<WebSocket, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  /** Remembers the raw socket `ws` under `held` (the socket Hocuspocus is given). */
  track(held: object, ws: WebSocket): void {
    this.raw.set(held, ws);
    ws.once("close", () => this.beating.delete(ws));
  }

  /**
   * Starts the heartbeat on `held`'s socket. Only for clients known to answer a Ping: a
   * Hocuspocus v4 provider, which says its version when it authenticates. An older or
   * hand-made client would take the Ping for a malformed message.
   */
  start(held: object): void {
    const ws = this.raw.get(held);
    if (ws?.readyState === WebSocket.OPEN) this.beating.add(ws);
  }

  /**
   * Takes `frame` off `ws` if it is a Pong answering a Ping sent on `ws`; false for
   * anything else, which then goes on to Hocuspocus like any message (an unrequested
   * Pong included: it is not free).
   */
  takePong(ws: WebSocket, frame: Uint8Array): boolean {
    if (!isPong(frame)) return false;
    const unanswered = this.unanswered.get(ws) ?? 0;
    if (unanswered === 0) return false;
    this.unanswered.set(ws, unanswered - 1);
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.beating.clear();
  }

  private beat(): void {
    for (const ws of this.beating) {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(PING);
        this.unanswered.set(ws, (this.unanswered.get(ws) ?? 0) + 1);
      } else this.beating.delete(ws);
    }
  }
}

/**
 * A client's answer to a Ping: exactly one byte. Never a Hocuspocus message, which always
 * starts with its document's name (a first byte of 10 would announce a ten-byte name).
 */
function isPong(frame: Uint8Array): boolean {
  return frame.length === 1 && frame[0] === MessageType.Pong;
}
