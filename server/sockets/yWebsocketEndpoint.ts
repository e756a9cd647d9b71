import type { IncomingMessage } from "node:http";
import { AuthMessageType, writeAuthentication } from "@hocuspocus/common";
import { MessageType } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { type WebSocket, WebSocketServer } from "ws";
import * as yAuth from "y-protocols/auth";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";
import { bearerToken } from "../access/bearerToken.ts";
import { readFrameType } from "./frameType.ts";
import { HeldSocket, type RawSocket } from "./HeldSocket.ts";
import {
  armAuthDeadline,
  type EndpointOptions,
  toBytes,
  toWebRequest,
  type UpgradeHandler,
} from "./upgradeRouter.ts";

/**
 * What a y-websocket client may send. Hocuspocus' protocol is y-websocket's with a
 * document name in front: the types they share (sync, awareness, auth, query-awareness)
 * have the same numbers, so Hocuspocus' MessageType names them for both.
 */
const CLIENT_TYPES = new Set<number>([
  MessageType.Sync,
  MessageType.Awareness,
  MessageType.QueryAwareness,
]);

/**
 * Translates Hocuspocus frames for one document into the plain y-websocket protocol:
 * strips the document name, turns SyncReply into Sync, a permission-denied into
 * y-protocols' auth message plus a close with the typed reason, and drops what a
 * y-websocket client does not understand (auth acks, sync status, stateless).
 */
class YProtocolSocket implements RawSocket {
  private readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const type = readFrameType(decoder);
    const rest = data.subarray(decoder.pos);
    switch (type) {
      case MessageType.Sync:
      case MessageType.SyncReply:
        this.ws.send(prefixed(MessageType.Sync, rest));
        return;
      case MessageType.Awareness:
        this.ws.send(prefixed(MessageType.Awareness, rest));
        return;
      case MessageType.Auth: {
        if (decoding.readVarUint(decoder) !== AuthMessageType.PermissionDenied) return;
        const reason = decoding.readVarString(decoder);
        // y-protocols numbers its auth messages differently from Hocuspocus.
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MessageType.Auth);
        yAuth.writePermissionDenied(encoder, reason);
        this.ws.send(encoding.toUint8Array(encoder));
        const known = closeReasonFromString(reason);
        this.ws.close(known?.code ?? CLOSE_REASONS.forbidden.code, known?.reason ?? reason);
        return;
      }
      case MessageType.CLOSE: {
        // Hocuspocus closes a connection with a message carrying the reason (token-revoked,
        // token-expired…); a y-websocket client only sees the websocket close, so it gets
        // the typed code and reason there.
        const known = closeReasonFromString(safeReadString(decoder));
        this.ws.close(known?.code ?? 1000, known?.reason ?? "closed by server");
        return;
      }
      default:
        return;
    }
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}

function safeReadString(decoder: decoding.Decoder): string | undefined {
  try {
    return decoding.readVarString(decoder);
  } catch {
    return undefined;
  }
}

function prefixed(type: number, rest: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeUint8Array(encoder, rest);
  return encoding.toUint8Array(encoder);
}

function addressed(documentName: string, frame: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeUint8Array(encoder, frame);
  return encoding.toUint8Array(encoder);
}

function tokenOf(request: IncomingMessage, url: URL): string {
  return bearerToken(request.headers.authorization) ?? url.searchParams.get("token") ?? "";
}

/**
 * `/yjs/:key?token=…`: the y-websocket protocol, so any standard Yjs client
 * (y-websocket's WebsocketProvider, pycrdt/yrs clients) can open the same live
 * document. Each socket becomes a Hocuspocus connection: the same authentication,
 * read-only rule, presence rules and zero-loss persistence apply.
 */
export function yWebsocketEndpoint(options: EndpointOptions): {
  handle: UpgradeHandler;
  wss: WebSocketServer;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const handle: UpgradeHandler = (request, socket, head, url) => {
    // The upgrade router answers 400 if this throws (a malformed escape).
    const documentName = decodeURIComponent(url.pathname.replace(/^\/yjs\//, ""));
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const held = new HeldSocket(new YProtocolSocket(ws));
      armAuthDeadline(ws, held, options.authTimeoutMs);
      const client = options.hocuspocus.handleConnection(
        held,
        toWebRequest(request, options.clientIp(request)),
      );
      const auth = encoding.createEncoder();
      encoding.writeVarString(auth, documentName);
      encoding.writeVarUint(auth, MessageType.Auth);
      writeAuthentication(auth, tokenOf(request, url));
      client.handleMessage(encoding.toUint8Array(auth));
      ws.on("message", (data) => {
        const frame = toBytes(data);
        let type: number;
        try {
          type = decoding.readVarUint(decoding.createDecoder(frame));
        } catch {
          ws.close(CLOSE_REASONS.invalid_message.code, CLOSE_REASONS.invalid_message.reason);
          return;
        }
        if (!CLIENT_TYPES.has(type)) return;
        client.handleMessage(addressed(documentName, frame));
      });
      ws.on("close", (code, reason) => client.handleClose({ code, reason: reason.toString() }));
      ws.on("error", (error) =>
        options.logger.warn({ err: error, incident: documentName }, "y-websocket error"),
      );
    });
  };
  return { handle, wss };
}
