import type { IncomingMessage } from "node:http";
import { AuthMessageType } from "@hocuspocus/common";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { type WebSocket, WebSocketServer } from "ws";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";
import { HeldSocket, type RawSocket } from "./HeldSocket.ts";
import {
  armAuthDeadline,
  type EndpointOptions,
  toBytes,
  toWebRequest,
  type UpgradeHandler,
} from "./upgradeRouter.ts";

/** Hocuspocus message types (its protocol is y-websocket's with a document name in front). */
const HP = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4, CLOSE: 7 } as const;
/** y-websocket message types a client may send. */
const CLIENT_TYPES = new Set([0, 1, 3]);
/** y-protocols/auth: permission denied. */
const Y_AUTH_PERMISSION_DENIED = 0;

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
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    const rest = data.subarray(decoder.pos);
    switch (type) {
      case HP.Sync:
      case HP.SyncReply:
        this.ws.send(prefixed(HP.Sync, rest));
        return;
      case HP.Awareness:
        this.ws.send(prefixed(HP.Awareness, rest));
        return;
      case HP.Auth: {
        if (decoding.readVarUint(decoder) !== AuthMessageType.PermissionDenied) return;
        const reason = decoding.readVarString(decoder);
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, HP.Auth);
        encoding.writeVarUint(encoder, Y_AUTH_PERMISSION_DENIED);
        encoding.writeVarString(encoder, reason);
        this.ws.send(encoding.toUint8Array(encoder));
        const known = closeReasonFromString(reason);
        this.ws.close(known?.code ?? CLOSE_REASONS.forbidden.code, known?.reason ?? reason);
        return;
      }
      case HP.CLOSE: {
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
  const header = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  return header?.[1] ?? url.searchParams.get("token") ?? "";
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
      encoding.writeVarUint(auth, HP.Auth);
      encoding.writeVarUint(auth, AuthMessageType.Token);
      encoding.writeVarString(auth, tokenOf(request, url));
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
