import type { HocuspocusProvider } from "@hocuspocus/provider";
import { PRINCIPAL_ROLE_LABELS, type PrincipalRole } from "#shared/access.ts";
import { colorForSubject, textColorOn } from "#shared/presence.ts";
import type { Me } from "../api.ts";
import { usePresence } from "../hooks/usePresence.ts";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? "?") + (parts.length > 1 ? (parts.at(-1)?.[0] ?? "") : "")
  ).toUpperCase();
}

/**
 * Avatars of everyone in the document, each in that person's colour, with their role
 * in the tooltip and for screen readers. Your own is marked "(you)" with your real
 * role (from the session, not from what your awareness state happens to say).
 */
export function PresenceList({ provider, me }: { provider: HocuspocusProvider; me: Me }) {
  const users = usePresence(provider);
  if (users.length === 0) return null;
  return (
    <ul className="presence" data-testid="presence" aria-label="People in this incident">
      {users.map((user) => {
        const role: PrincipalRole = user.self ? me.role : user.role;
        const name = user.self ? me.name : user.name;
        const color = user.self ? colorForSubject(me.subject) : user.color;
        const label = `${name}${user.self ? " (you)" : ""} — ${PRINCIPAL_ROLE_LABELS[role] ?? role}`;
        return (
          <li
            key={user.clientId}
            className={`presence-user${role === "viewer" ? " viewer" : ""}`}
            title={label}
            data-testid="presence-user"
            data-name={name}
            data-role={role}
            data-color={color}
            data-self={user.self || undefined}
          >
            <span
              className="avatar"
              aria-hidden="true"
              style={{ backgroundColor: color, color: textColorOn(color) }}
            >
              {initials(name)}
            </span>
            {user.self && (
              <span className="presence-you" aria-hidden="true">
                (you)
              </span>
            )}
            <span className="sr-only">{label}</span>
          </li>
        );
      })}
    </ul>
  );
}
