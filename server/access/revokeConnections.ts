import type { Hocuspocus } from "@hocuspocus/server";
import type { Principal } from "#shared/access.ts";
import { CLOSE_REASONS, type CloseReason } from "#shared/closeReasons.ts";
import type { HotdocContext } from "./origins.ts";

/** Closes every live connection whose principal `match`es, with `reason`; returns how many. */
function closeConnectionsOf(
  hocuspocus: Hocuspocus,
  match: (principal: Principal) => boolean,
  { code, reason }: CloseReason,
): number {
  let closed = 0;
  for (const document of hocuspocus.documents.values()) {
    for (const connection of [...document.connections.keys()]) {
      const principal = (connection.context as HotdocContext | undefined)?.principal;
      if (!principal || !match(principal)) continue;
      connection.close({ code, reason });
      connection.webSocket.close(code, reason);
      closed++;
    }
  }
  return closed;
}

/**
 * Closes every live connection that stands on one of the tokens `tokenIds` (directly, or
 * through a browser session opened with it); returns how many.
 */
export function closeConnectionsOfTokens(
  hocuspocus: Hocuspocus,
  tokenIds: readonly string[],
): number {
  const ids = new Set(tokenIds);
  return closeConnectionsOf(
    hocuspocus,
    (p) => p.tokenId !== undefined && ids.has(p.tokenId),
    CLOSE_REASONS.token_revoked,
  );
}

/** Closes every live connection of a browser session (signed out or revoked); returns how many. */
export function closeConnectionsOfSession(hocuspocus: Hocuspocus, sessionId: string): number {
  return closeConnectionsOf(
    hocuspocus,
    (p) => p.sessionId === sessionId,
    CLOSE_REASONS.session_ended,
  );
}
