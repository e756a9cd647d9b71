import type {
  beforeHandleAwarenessPayload,
  Connection,
  Document,
  Extension,
} from "@hocuspocus/server";
import { colorForSubject } from "#shared/presence.ts";
import type { HotdocContext } from "../access/origins.ts";

/**
 * Presence is identity. Whatever a client puts in its awareness state, the `user`
 * it shows is rewritten to the name, role and subject of its principal, with the
 * colour that subject always has (shared/presence.ts), and a connection may only speak for the awareness client ids
 * it introduced first — so nobody can overwrite or pose as another participant.
 */
export class PresenceExtension implements Extension {
  extensionName = "PresenceExtension";
  priority = 800;

  private readonly owners = new WeakMap<Document, Map<number, Connection>>();

  async beforeHandleAwareness({
    document,
    states,
    connection,
  }: beforeHandleAwarenessPayload<HotdocContext>): Promise<void> {
    if (!connection) return;
    const principal = (connection.context as HotdocContext | undefined)?.principal;
    let owners = this.owners.get(document);
    if (!owners) {
      owners = new Map();
      this.owners.set(document, owners);
    }
    for (const [clientId, state] of [...states.entries()]) {
      const owner = owners.get(clientId);
      if (owner && owner !== connection && document.connections.has(owner)) {
        states.delete(clientId);
        continue;
      }
      owners.set(clientId, connection);
      // A read-only connection edits nothing, so it cannot claim to be editing a record either.
      if (connection.readOnly) delete state.editing;
      const subject = principal?.subject ?? "anonymous";
      state.user = {
        name: principal?.name ?? "anonymous",
        role: principal?.role ?? "viewer",
        subject,
        color: colorForSubject(subject),
      };
    }
  }
}
