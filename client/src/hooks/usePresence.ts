import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import type { PrincipalRole } from "#shared/access.ts";
import { colorForSubject } from "#shared/presence.ts";

export interface PresentUser {
  clientId: number;
  name: string;
  role: PrincipalRole;
  color: string;
  self: boolean;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** The awareness `user` of a state, as the server wrote it (name, role, colour, subject). */
export function awarenessUser(
  state: unknown,
): { name: string; role?: string; color: string } | null {
  const user = (state as { user?: Record<string, unknown> } | null)?.user;
  if (!user || typeof user.name !== "string") return null;
  const color =
    typeof user.color === "string" && COLOR.test(user.color)
      ? user.color
      : colorForSubject(typeof user.subject === "string" ? user.subject : user.name);
  return { name: user.name, role: typeof user.role === "string" ? user.role : undefined, color };
}

/**
 * Who is in the document. The server rewrites every awareness `user` to the
 * name, role and colour of that client's session or link, so this list can be
 * trusted. This page's own entry is left to the caller, who knows who it is.
 */
export function usePresence(provider: HocuspocusProvider): PresentUser[] {
  const [users, setUsers] = useState<PresentUser[]>([]);
  useEffect(() => {
    const awareness = provider.awareness;
    if (!awareness) return;
    const read = () => {
      const list: PresentUser[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = awarenessUser(state);
        if (!user) return;
        list.push({
          clientId,
          name: user.name,
          role: (user.role ?? "viewer") as PrincipalRole,
          color: user.color,
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
