import type { LocalTransactionOrigin } from "@hocuspocus/server";
import { type Principal, SYSTEM_PRINCIPAL } from "#shared/access.ts";

/** The context every connection and server-side write carries. */
export interface HotdocContext {
  principal?: Principal;
}

/** Origin for writes the server makes on its own (migrations, automatic entries). */
export function systemOrigin(): LocalTransactionOrigin {
  return { source: "local", context: { principal: SYSTEM_PRINCIPAL } satisfies HotdocContext };
}

/** A short label for the store's log: who wrote this update, and through which door. */
export function describeOrigin(origin: unknown): string {
  if (typeof origin !== "object" || origin === null) return "unknown";
  const o = origin as {
    source?: string;
    connection?: { context?: HotdocContext };
    context?: HotdocContext;
  };
  const principal =
    o.source === "connection" ? o.connection?.context?.principal : o.context?.principal;
  const who = principal ? `${principal.role}:${principal.subject}` : "anonymous";
  return `${o.source ?? "unknown"}:${who}`;
}

/**
 * Whether a transaction came from another hotdoc process through Redis: that process
 * accepted the update and stores it, announces it and acknowledges it; this one only
 * shows it to its own clients.
 */
export function fromAnotherProcess(origin: unknown): boolean {
  return (
    typeof origin === "object" &&
    origin !== null &&
    (origin as { source?: unknown }).source === "redis"
  );
}
