import {
  HocuspocusProvider,
  type HocuspocusProviderWebsocket,
  type onMessageParameters,
  WebSocketStatus,
} from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import * as Y from "yjs";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";
import { HEARTBEAT_SILENCE_MS } from "#shared/heartbeat.ts";
import { acknowledgement, isSyncStep1, UnsavedChanges } from "./unsavedChanges.ts";

/**
 * How long a socket may take to open before the attempt is given up. A dead network
 * often never completes (nor fails) the handshake; the provider itself waits forever.
 */
const OPEN_LIMIT_MS = 10_000;
/**
 * How long an open socket that has not synced yet may stay silent. Longer than the
 * heartbeat's limit: the first sync of a big incident is one large frame, and nothing
 * else arrives while it downloads on a slow phone link.
 */
const SYNC_SILENCE_MS = 20_000;
/** How often the link is checked. */
const WATCH_MS = 500;

export type ConnectionState = "connecting" | "online" | "offline" | "refused";

export interface ConnectionRefusal {
  /** The server's reason string (see shared/closeReasons.ts). */
  reason: string;
  message: string;
}

export interface IncidentDocConnection {
  doc: Y.Doc | null;
  provider: HocuspocusProvider | null;
  status: ConnectionState;
  /** True once the first sync with the server has completed on the current connection. */
  synced: boolean;
  error: ConnectionRefusal | null;
  /** True when the server authorised this connection read-only (a viewer link): nothing may be edited. */
  readOnly: boolean;
  /**
   * Changes made in this tab that the server has not acknowledged. A store, not a number:
   * only the components that show the count re-render as it changes (`useUnsavedCount`).
   */
  unsaved: UnsavedChanges;
}

/** Where the collaboration websocket lives: same host as the page. */
function collabUrl(): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/collab`;
}

/**
 * An incident's Y.Doc in this tab. It outlives its providers (one per session: a new
 * session brings a new CSRF value and so a new provider) and, while it holds changes the
 * server has not confirmed, the page too: a page left or replaced while signed out finds
 * them again and sends them once it connects.
 */
interface LocalDoc {
  doc: Y.Doc;
  /** Changes made here that the server has not acknowledged. */
  unsaved: UnsavedChanges;
  /** Pages that have it open. */
  users: number;
}

const localDocs = new Map<string, LocalDoc>();

function takeDoc(key: string): LocalDoc {
  let local = localDocs.get(key);
  if (!local) {
    local = { doc: new Y.Doc(), unsaved: new UnsavedChanges(), users: 0 };
    localDocs.set(key, local);
  }
  local.users += 1;
  return local;
}

function releaseDoc(key: string, local: LocalDoc): void {
  local.users -= 1;
  if (local.users > 0 || local.unsaved.count() > 0) return;
  localDocs.delete(key);
  local.unsaved.dispose();
  local.doc.destroy();
}

/**
 * Gives up `socket` as closed, at once. The provider then reconnects, as after any close.
 * A dead link never completes a close handshake, so waiting for the socket's own close
 * event could take minutes; the provider's listener is told directly instead.
 */
function giveUp(socket: WebSocket, reason: string): void {
  socket.dispatchEvent(new CloseEvent("close", { code: 4408, reason }));
}

/**
 * Watches the link: gives the socket up when it takes too long to open, or goes silent
 * for longer than the server's heartbeat allows (shared/heartbeat.ts), so a dead network
 * shows as offline within seconds instead of when the provider's own 30-second limit
 * runs out. Returns the function that stops watching.
 */
function watchLink(provider: HocuspocusProvider, link: HocuspocusProviderWebsocket): () => void {
  let attemptAt = Date.now();
  let openedAt = 0;
  const onStatus = ({ status }: { status: WebSocketStatus }) => {
    if (status === WebSocketStatus.Connecting) {
      attemptAt = Date.now();
      openedAt = 0;
    } else if (status === WebSocketStatus.Connected && openedAt === 0) {
      openedAt = Date.now();
    }
  };
  link.on("status", onStatus);
  const timer = setInterval(() => {
    const socket = link.webSocket;
    if (!socket || socket.readyState === socket.CLOSED) return;
    const now = Date.now();
    if (socket.readyState === socket.CONNECTING) {
      if (now - attemptAt > OPEN_LIMIT_MS) giveUp(socket, "open-timeout");
      return;
    }
    // Open (or closing, which on a dead link never ends): every message counts as heard.
    const heard = Math.max(link.lastMessageReceived, openedAt);
    const limit = provider.isSynced ? HEARTBEAT_SILENCE_MS : SYNC_SILENCE_MS;
    if (now - heard > limit) giveUp(socket, "heartbeat-lost");
  }, WATCH_MS);
  // The browser knows when the machine has no network at all: no need to wait for
  // silence; and when it is back, reconnect now rather than when the back-off says.
  const offline = () => {
    if (link.webSocket) giveUp(link.webSocket, "browser-offline");
  };
  const online = () => {
    // Not a connection the page stopped on purpose (a refused session).
    if (link.shouldConnect && link.status === WebSocketStatus.Disconnected) void link.connect();
  };
  window.addEventListener("offline", offline);
  window.addEventListener("online", online);
  return () => {
    clearInterval(timer);
    link.off("status", onStatus);
    window.removeEventListener("offline", offline);
    window.removeEventListener("online", online);
  };
}

/**
 * The incident's Y.Doc and a HocuspocusProvider for it. The provider is rebuilt when the
 * session changes; the doc is not, so what could not be sent under the old session is
 * sent under the new one. The websocket is authenticated by the session cookie its
 * upgrade request carries; the token `session:<csrf>` proves the page itself, not
 * another site, opened it.
 */
export function useIncidentDoc(key: string, csrf: string): IncidentDocConnection {
  const [local, setLocal] = useState<LocalDoc | null>(null);
  const [provider, setProvider] = useState<HocuspocusProvider | null>(null);
  const [socket, setSocket] = useState<WebSocketStatus>(WebSocketStatus.Connecting);
  const [synced, setSynced] = useState(false);
  const [error, setError] = useState<ConnectionRefusal | null>(null);
  // Until the server says otherwise, nothing is editable: a viewer must never get a moment of edit affordances.
  const [readOnly, setReadOnly] = useState(true);

  // Declared before the doc's effect, so the provider is destroyed before its doc is released.
  useEffect(() => {
    if (!local) return;
    const { doc, unsaved } = local;
    setSocket(WebSocketStatus.Connecting);
    setSynced(false);
    setError(null);
    setReadOnly(true);
    const provider = new HocuspocusProvider({
      url: collabUrl(),
      name: key,
      document: doc,
      token: `session:${csrf}`,
      onStatus: ({ status }) => {
        setSocket(status);
        if (status !== WebSocketStatus.Connected) {
          setSynced(false);
          unsaved.socketClosed();
        }
      },
      onSynced: ({ state }) => setSynced(state),
      onAuthenticated: ({ scope }) => {
        setError(null);
        setReadOnly(scope !== "read-write");
      },
      onAuthenticationFailed: ({ reason }) => refuse(reason),
      // A live connection closed because the session or link ended (signed out, revoked,
      // expired) is refused as surely as a new one would be: stop at once.
      onClose: ({ event }) => {
        if (closeReasonFromString(event.reason)?.code === 4401) refuse(event.reason);
      },
    });
    const link = provider.configuration.websocketProvider;
    const socketOpen = () => link.webSocket?.readyState === WebSocket.OPEN;
    // Listened to on the provider itself: the same callbacks given in its configuration
    // would also be handed to its websocket, which calls them with other arguments. The
    // provider tells of a message before it handles it; it answers the server's sync step 1
    // there and then, with the sync step 2 that carries every change held while offline.
    provider.on("message", ({ event }: onMessageParameters) => {
      const message = new Uint8Array(event.data as ArrayBuffer);
      if (isSyncStep1(message)) {
        if (socketOpen()) unsaved.syncSent();
        return;
      }
      const applied = acknowledgement(message);
      if (applied !== null) unsaved.acknowledged(applied);
    });
    // Local changes reach the provider only while its socket is open. What it would queue
    // while offline is sent again anyway by the next connection's sync step 2, and those
    // queued updates, flushed ahead of it, would each cost a message and a write on the
    // server and make the count of unsaved changes lie (see UnsavedChanges).
    doc.off("update", provider.boundDocumentUpdateHandler);
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === provider) return;
      if (socketOpen()) {
        provider.documentUpdateHandler(update, origin);
        unsaved.sent();
      } else {
        unsaved.held();
      }
    };
    doc.on("update", onUpdate);
    const stopWatching = watchLink(provider, link);
    function refuse(reason: string) {
      const known = closeReasonFromString(reason);
      setError({
        reason,
        message: known?.message ?? (reason || "The server refused the connection."),
      });
      // A refused session or a missing incident will not change by retrying; a store outage may.
      // Nothing typed now could reach the server, so nothing may be typed.
      if (known !== CLOSE_REASONS.store_unavailable) {
        setReadOnly(true);
        provider.disconnect();
      }
    }
    setProvider(provider);
    return () => {
      stopWatching();
      doc.off("update", onUpdate);
      provider.destroy();
      // Whatever was in flight is carried by the next provider's sync.
      unsaved.socketClosed();
      setProvider(null);
    };
  }, [local, key, csrf]);

  useEffect(() => {
    const kept = takeDoc(key);
    setLocal(kept);
    return () => {
      releaseDoc(key, kept);
      setLocal(null);
    };
  }, [key]);

  return {
    doc: local?.doc ?? null,
    provider,
    status: connectionState(socket, synced, error),
    synced,
    error,
    readOnly,
    unsaved: local?.unsaved ?? NO_CHANGES,
  };
}

/** What `unsaved` is before the doc is taken: never changes. */
const NO_CHANGES = new UnsavedChanges();

function connectionState(
  socket: WebSocketStatus,
  synced: boolean,
  error: ConnectionRefusal | null,
): ConnectionState {
  if (error && error.reason !== CLOSE_REASONS.store_unavailable.reason) return "refused";
  if (socket === WebSocketStatus.Disconnected) return "offline";
  if (socket === WebSocketStatus.Connected && synced) return "online";
  return "connecting";
}
