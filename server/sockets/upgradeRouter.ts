import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { AuthMessageType } from "@hocuspocus/common";
import { type Hocuspocus, MessageType } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";
import type { Logger } from "../logger.ts";
import { readFrameType } from "./frameType.ts";
import type { Heartbeat } from "./Heartbeat.ts";
import { HeldSocket, type RawSocket } from "./HeldSocket.ts";

export type UpgradeHandler = (
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
) => void;

/**
 * Routes websocket upgrades by path; anything unknown is answered 404 and closed.
 * Returns the map so further endpoints can be mounted.
 */
export function upgradeRouter(server: Server): Map<string, UpgradeHandler> {
  const routes = new Map<string, UpgradeHandler>();
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Anything thrown here would escape to the process: a malformed URL or Host from
    // an unauthenticated client must cost that client its socket, nothing more.
    try {
      const url = requestUrl(request);
      const handler =
        routes.get(url.pathname) ??
        [...routes.entries()].find(([p]) => p.endsWith("/") && url.pathname.startsWith(p))?.[1];
      if (!handler) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      handler(request, socket, head, url);
    } catch {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  });
  return routes;
}

/** The request's path and query, on a fixed origin (the Host header is the client's to forge). */
function requestUrl(request: IncomingMessage): URL {
  const path = request.url ?? "/";
  return new URL(path.startsWith("/") && !path.startsWith("//") ? path : "/", "http://localhost");
}

/**
 * A web `Request` carrying the upgrade's URL and headers, as Hocuspocus hooks expect.
 * `X-Real-IP` is always the address we determined (Hocuspocus' throttle reads it), and
 * any forwarding headers the client sent are dropped, so it cannot pick its own address.
 */
export function toWebRequest(request: IncomingMessage, clientIp: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === "x-real-ip" || name === "x-forwarded-for") continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  headers.set("x-real-ip", clientIp);
  return new Request(requestUrl(request), { headers });
}

/** What every websocket endpoint needs besides Hocuspocus. */
export interface EndpointOptions {
  hocuspocus: Hocuspocus;
  maxPayload: number;
  logger: Logger;
  /** The client's address for an upgrade request (peer, or the proxy's forwarded hop). */
  clientIp: (request: IncomingMessage) => string;
  /** A socket that has authenticated no document by then is closed. */
  authTimeoutMs: number;
}

/**
 * Closes `ws` with authentication-timeout unless `held` authenticates a document
 * within `ms`. Hocuspocus' own deadline for that is its idle timeout (a minute or
 * more), long enough for anyone to hold a thousand idle sockets.
 */
export function armAuthDeadline(ws: WebSocket, held: HeldSocket, ms: number): void {
  const timer = setTimeout(() => {
    if (held.isAuthenticated) return;
    ws.close(
      CLOSE_REASONS.unauthenticated_timeout.code,
      CLOSE_REASONS.unauthenticated_timeout.reason,
    );
    // A peer that ignores the close handshake is cut off.
    setTimeout(() => ws.terminate(), 1000).unref();
  }, ms);
  timer.unref();
  ws.once("close", () => clearTimeout(timer));
}

export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The socket itself, closed when Hocuspocus ends the document's connection on it: a
 * close message (the store refused a write, a token was revoked), or a refusal because
 * the store is unreachable. Hocuspocus leaves the socket open then, and a provider waits
 * on it for ever (answered by Pings, it never reconnects); closed, it reconnects after
 * its delay and finds the store again. Other refusals stay as they are: retrying a bad
 * token would change nothing. (The y-websocket door closes on both already.)
 */
function closingWhenEnded(ws: WebSocket): RawSocket {
  return {
    get readyState() {
      return ws.readyState;
    },
    send(data) {
      ws.send(data);
      const end = connectionEnd(data);
      if (end) ws.close(end.code, end.reason);
    },
    close: (code, reason) => ws.close(code, reason),
  };
}

/** The close a frame calls for (see closingWhenEnded), or null. */
export function connectionEnd(frame: Uint8Array): { code: number; reason: string } | null {
  try {
    const decoder = decoding.createDecoder(frame);
    // Every frame to every socket comes here (a broadcast to 500 viewers is 500 calls),
    // and only a Close or an Auth frame matters.
    const type = readFrameType(decoder);
    if (type === MessageType.CLOSE) {
      const reason = decoding.readVarString(decoder);
      // The answer to a client that let the document go: its socket may carry others.
      if (reason === "provider_initiated") return null;
      return closeReasonFromString(reason) ?? { code: 1000, reason: "closed by server" };
    }
    if (type !== MessageType.Auth) return null;
    if (decoding.readVarUint(decoder) !== AuthMessageType.PermissionDenied) return null;
    const reason = decoding.readVarString(decoder);
    return reason === CLOSE_REASONS.store_unavailable.reason
      ? CLOSE_REASONS.store_unavailable
      : null;
  } catch {
    return null;
  }
}

/**
 * The Hocuspocus protocol endpoint: a `ws` socket wrapped in HeldSocket, handed to
 * Hocuspocus. The heartbeat knows every socket; the Pongs that answer its Pings stop here.
 */
export function hocuspocusEndpoint(options: EndpointOptions & { heartbeat: Heartbeat }): {
  handle: UpgradeHandler;
  wss: WebSocketServer;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const handle: UpgradeHandler = (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const held = new HeldSocket(closingWhenEnded(ws));
      armAuthDeadline(ws, held, options.authTimeoutMs);
      options.heartbeat.track(held, ws);
      const client = options.hocuspocus.handleConnection(
        held,
        toWebRequest(request, options.clientIp(request)),
      );
      ws.on("message", (data) => {
        const bytes = toBytes(data);
        // A Pong that answers a Ping proves the client alive (a background tab may renew
        // nothing else for a minute), so it keeps Hocuspocus' idle timeout away; it goes
        // no further. An unrequested one goes on, like any other frame.
        if (options.heartbeat.takePong(ws, bytes)) {
          client.lastMessageReceivedAt = Date.now();
          return;
        }
        client.handleMessage(bytes);
      });
      ws.on("close", (code, reason) => client.handleClose({ code, reason: reason.toString() }));
      ws.on("error", (error) => options.logger.warn({ err: error }, "websocket error"));
    });
  };
  return { handle, wss };
}
