import { HocuspocusProvider, WebSocketStatus } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import * as Y from "yjs";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";

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
   * Changes made in this tab that the server has not confirmed, as of the last refusal
   * (counted as they are made, but told to React only when the connection is refused or
   * all are confirmed, so typing does not re-render the page).
   */
  unsaved: number;
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
  /** Changes made here since the server last confirmed it had every one. */
  unsaved: number;
  /** Pages that have it open. */
  users: number;
}

const localDocs = new Map<string, LocalDoc>();

function takeDoc(key: string): LocalDoc {
  let local = localDocs.get(key);
  if (!local) {
    local = { doc: new Y.Doc(), unsaved: 0, users: 0 };
    localDocs.set(key, local);
  }
  local.users += 1;
  return local;
}

function releaseDoc(key: string, local: LocalDoc): void {
  local.users -= 1;
  if (local.users > 0 || local.unsaved > 0) return;
  localDocs.delete(key);
  local.doc.destroy();
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
  const [unsaved, setUnsaved] = useState(0);

  // Declared before the doc's effect, so the provider is destroyed before its doc is released.
  useEffect(() => {
    if (!local) return;
    const kept = local;
    const { doc } = kept;
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
        if (status !== WebSocketStatus.Connected) setSynced(false);
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
      // The provider's own count restarts at 1 on every reconnect, so it cannot say how many
      // changes wait; it reaching 0 does say the server has confirmed all of them.
      onUnsyncedChanges: ({ number }) => {
        if (number > 0) return;
        kept.unsaved = 0;
        setUnsaved(0);
      },
    });
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin !== provider) kept.unsaved += 1;
    };
    doc.on("update", onUpdate);
    function refuse(reason: string) {
      const known = closeReasonFromString(reason);
      setError({
        reason,
        message: known?.message ?? (reason || "The server refused the connection."),
      });
      setUnsaved(kept.unsaved);
      // A refused session or a missing incident will not change by retrying; a store outage may.
      // Nothing typed now could reach the server, so nothing may be typed.
      if (known !== CLOSE_REASONS.store_unavailable) {
        setReadOnly(true);
        provider.disconnect();
      }
    }
    setProvider(provider);
    return () => {
      doc.off("update", onUpdate);
      provider.destroy();
      setProvider(null);
    };
  }, [local, key, csrf]);

  useEffect(() => {
    const kept = takeDoc(key);
    setLocal(kept);
    setUnsaved(kept.unsaved);
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
    unsaved,
  };
}

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
