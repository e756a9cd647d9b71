import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import type { PrincipalRole } from "#shared/access.ts";

export interface PresentUser {
  clientId: number;
  name: string;
  role: PrincipalRole;
  color: string;
  self: boolean;
}

/**
 * Who is in the document. The server rewrites every awareness `user` to the
 * name and role of that client's token, so this list can be trusted.
 */
export function usePresence(provider: HocuspocusProvider): PresentUser[] {
  const [users, setUsers] = useState<PresentUser[]>([]);
  useEffect(() => {
    const awareness = provider.awareness;
    if (!awareness) return;
    const read = () => {
      const list: PresentUser[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = (state as { user?: { name?: unknown; role?: unknown; color?: unknown } }).user;
        if (!user || typeof user.name !== "string") return;
        list.push({
          clientId,
          name: user.name,
          role: (typeof user.role === "string" ? user.role : "viewer") as PrincipalRole,
          color: typeof user.color === "string" ? user.color : "#888888",
          self: clientId === awareness.clientID,
        });
      });
      list.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
      setUsers(list);
    };
    read();
    awareness.on("change", read);
    return () => awareness.off("change", read);
  }, [provider]);
  return users;
}
