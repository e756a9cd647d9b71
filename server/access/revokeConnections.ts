import type { Hocuspocus } from "@hocuspocus/server";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import type { HotdocContext } from "./origins.ts";

/** Closes every live connection that authenticated with the token `tokenId`; returns how many. */
export function closeConnectionsOfToken(hocuspocus: Hocuspocus, tokenId: string): number {
  let closed = 0;
  for (const document of hocuspocus.documents.values()) {
    for (const connection of [...document.connections.keys()]) {
      if ((connection.context as HotdocContext | undefined)?.principal?.tokenId !== tokenId)
        continue;
      const { code, reason } = CLOSE_REASONS.token_revoked;
      connection.close({ code, reason });
      connection.webSocket.close(code, reason);
      closed++;
    }
  }
  return closed;
}
