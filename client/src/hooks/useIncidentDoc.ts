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
}

/** Where the collaboration websocket lives: same host as the page. */
function collabUrl(): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/collab`;
}

/**
 * One Y.Doc and one HocuspocusProvider for an incident page, torn down when the
 * page (or the key or session) changes. The websocket is authenticated by the session
 * cookie its upgrade request carries; the token `session:<csrf>` proves the page
 * itself, not another site, opened it.
 */
export function useIncidentDoc(key: string, csrf: string): IncidentDocConnection {
  const [pair, setPair] = useState<{ doc: Y.Doc; provider: HocuspocusProvider } | null>(null);
  const [socket, setSocket] = useState<WebSocketStatus>(WebSocketStatus.Connecting);
  const [synced, setSynced] = useState(false);
  const [error, setError] = useState<ConnectionRefusal | null>(null);
  // Until the server says otherwise, nothing is editable: a viewer must never get a moment of edit affordances.
  const [readOnly, setReadOnly] = useState(true);

  useEffect(() => {
    setSocket(WebSocketStatus.Connecting);
    setSynced(false);
    setError(null);
    const doc = new Y.Doc();
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
    });
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
    setPair({ doc, provider });
    return () => {
      provider.destroy();
      doc.destroy();
      setPair(null);
    };
  }, [key, csrf]);

  return {
    doc: pair?.doc ?? null,
    provider: pair?.provider ?? null,
    status: connectionState(socket, synced, error),
    synced,
    error,
    readOnly,
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
