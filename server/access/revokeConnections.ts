import type { Hocuspocus } from "@hocuspocus/server";
import type { Principal } from "#shared/access.ts";
import { CLOSE_REASONS, type CloseReason } from "#shared/closeReasons.ts";
import type { ClusterBus, ClusterEvent } from "../cluster/ClusterBus.ts";
import type { Logger } from "../logger.ts";
import type { Stores } from "../storage/stores.ts";
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
function closeConnectionsOfTokens(hocuspocus: Hocuspocus, tokenIds: readonly string[]): number {
  const ids = new Set(tokenIds);
  return closeConnectionsOf(
    hocuspocus,
    (p) => p.tokenId !== undefined && ids.has(p.tokenId),
    CLOSE_REASONS.token_revoked,
  );
}

/** Closes every live connection of a browser session (signed out or revoked); returns how many. */
function closeConnectionsOfSession(hocuspocus: Hocuspocus, sessionId: string): number {
  return closeConnectionsOf(
    hocuspocus,
    (p) => p.sessionId === sessionId,
    CLOSE_REASONS.session_ended,
  );
}

/**
 * Closes every live connection whose token or browser session has been revoked since it
 * connected, asking the store once per distinct token and session: the catch-up after a
 * process may have missed another process's word that it revoked something.
 */
async function closeRevokedConnections(
  hocuspocus: Hocuspocus,
  store: {
    tokenRevoked(id: string): Promise<boolean>;
    sessionEnded(id: string): Promise<boolean>;
  },
): Promise<number> {
  const tokens = new Map<string, Promise<boolean>>();
  const sessions = new Map<string, Promise<boolean>>();
  const revokedTokens = new Set<string>();
  const endedSessions = new Set<string>();
  for (const document of hocuspocus.documents.values()) {
    for (const connection of document.connections.keys()) {
      const principal = (connection.context as HotdocContext | undefined)?.principal;
      if (principal?.tokenId !== undefined && !tokens.has(principal.tokenId))
        tokens.set(principal.tokenId, store.tokenRevoked(principal.tokenId));
      if (principal?.sessionId !== undefined && !sessions.has(principal.sessionId))
        sessions.set(principal.sessionId, store.sessionEnded(principal.sessionId));
    }
  }
  for (const [id, revoked] of tokens) if (await revoked) revokedTokens.add(id);
  for (const [id, ended] of sessions) if (await ended) endedSessions.add(id);
  let closed = closeConnectionsOfTokens(hocuspocus, [...revokedTokens]);
  for (const id of endedSessions) closed += closeConnectionsOfSession(hocuspocus, id);
  return closed;
}

/** How often, with other processes, every connection is checked against the store. */
const SWEEP_MS = 15_000;

/**
 * Ends the live connections of revoked links and ended sessions on every process: here
 * at once, and on the others through the cluster bus (each closes its own; one that may
 * have missed a word checks every connection it holds against the store).
 */
export class Revocations {
  private readonly hocuspocus: Hocuspocus;
  private readonly bus: ClusterBus;
  private readonly logger: Logger;
  private sweep: NodeJS.Timeout | undefined;

  constructor(options: {
    hocuspocus: Hocuspocus;
    bus: ClusterBus;
    stores: Pick<Stores, "tokens" | "sessions">;
    logger: Logger;
    /** Other processes share the store (then connections are also checked every SWEEP_MS). */
    shared: boolean;
  }) {
    this.hocuspocus = options.hocuspocus;
    this.bus = options.bus;
    this.logger = options.logger;
    const { tokens, sessions } = options.stores;
    const checkAll = () =>
      void closeRevokedConnections(this.hocuspocus, {
        tokenRevoked: async (id) => (await tokens.accessTokenStatus(id)) === "revoked",
        sessionEnded: async (id) => (await sessions.findSession(id))?.revokedAt != null,
      }).catch((error: unknown) =>
        this.logger.warn({ err: String(error) }, "could not check connections against the store"),
      );
    this.bus.subscribe((event) => {
      if (event.type === "tokens-revoked") closeConnectionsOfTokens(this.hocuspocus, event.ids);
      else if (event.type === "session-ended") closeConnectionsOfSession(this.hocuspocus, event.id);
      else checkAll();
    });
    // With other processes, a word lost on the way (its sender's connection was down) is
    // made up for by checking every connection against the store now and then.
    if (options.shared) {
      this.sweep = setInterval(checkAll, SWEEP_MS);
      this.sweep.unref();
    }
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
  }

  /** Closes the connections standing on these tokens, everywhere; returns how many here. */
  async tokensRevoked(ids: readonly string[]): Promise<number> {
    const closed = closeConnectionsOfTokens(this.hocuspocus, ids);
    await this.tell({ type: "tokens-revoked", ids: [...ids] });
    return closed;
  }

  /** Closes a browser session's connections, everywhere; returns how many here. */
  async sessionEnded(id: string): Promise<number> {
    const closed = closeConnectionsOfSession(this.hocuspocus, id);
    await this.tell({ type: "session-ended", id });
    return closed;
  }

  private async tell(event: ClusterEvent): Promise<void> {
    try {
      await this.bus.publish(event);
    } catch (error) {
      // Stored already: the other processes refuse these credentials from now on, and
      // close the connections once they check again (after their own gap, or a restart).
      this.logger.warn({ err: String(error), event: event.type }, "could not tell other processes");
    }
  }
}
