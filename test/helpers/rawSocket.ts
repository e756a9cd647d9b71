import { AuthMessageType } from "@hocuspocus/common";
import { MessageType } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import { withTimeout } from "./clients.ts";

/**
 * A websocket that speaks bytes we craft by hand: for clients that misbehave on
 * purpose. Records every frame received and how the socket closed.
 */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: Uint8Array[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = "nodebuffer";
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on("message", (data: Buffer) => {
      this.frames.push(new Uint8Array(data));
      this.listeners.forEach((l) => {
        l();
      });
    });
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  /** Resolves with the first frame (received from now on, or already) that matches. */
  waitFor(match: (frame: Uint8Array) => boolean, from = 0, ms = 10_000): Promise<Uint8Array> {
    return withTimeout(
      new Promise<Uint8Array>((resolve) => {
        const check = () => {
          const found = this.frames.slice(from).find(match);
          if (found) {
            this.listeners = this.listeners.filter((l) => l !== check);
            resolve(found);
          }
        };
        this.listeners.push(check);
        check();
      }),
      ms,
      "a matching frame",
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** Builds a frame from varUints, varStrings and length-prefixed byte arrays. */
export function frame(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const part of parts) {
    if (typeof part === "number") encoding.writeVarUint(encoder, part);
    else if (typeof part === "string") encoding.writeVarString(encoder, part);
    else encoding.writeVarUint8Array(encoder, part);
  }
  return encoding.toUint8Array(encoder);
}

/** Reads the leading document name (Hocuspocus frames) and message type. */
export function header(
  data: Uint8Array,
  named = true,
): { name?: string; type: number; decoder: decoding.Decoder } {
  const decoder = decoding.createDecoder(data);
  const name = named ? decoding.readVarString(decoder) : undefined;
  return { name, type: decoding.readVarUint(decoder), decoder };
}

/** A RawSocket on the Hocuspocus endpoint that has sent its token for `name` and been answered. */
export async function authenticatedRawSocket(
  wsUrl: string,
  name: string,
  token: string,
): Promise<RawSocket> {
  const socket = new RawSocket(wsUrl);
  await socket.opened;
  socket.send(frame(name, MessageType.Auth, AuthMessageType.Token, token));
  await socket.waitFor((f) => header(f).type === MessageType.Auth);
  return socket;
}
