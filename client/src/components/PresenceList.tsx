import type { HocuspocusProvider } from "@hocuspocus/provider";
import { PRINCIPAL_ROLE_LABELS } from "#shared/access.ts";
import { usePresence } from "../hooks/usePresence.ts";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? "?") + (parts.length > 1 ? (parts.at(-1)?.[0] ?? "") : "")
  ).toUpperCase();
}

/** Avatars of everyone in the document, with their role in the tooltip and for screen readers. */
export function PresenceList({ provider }: { provider: HocuspocusProvider }) {
  const users = usePresence(provider);
  if (users.length === 0) return null;
  return (
    <ul className="presence" data-testid="presence" aria-label="People in this incident">
      {users.map((user) => {
        const label = `${user.name}${user.self ? " (you)" : ""} — ${PRINCIPAL_ROLE_LABELS[user.role] ?? user.role}`;
        return (
          <li
            key={user.clientId}
            className={`avatar${user.role === "viewer" ? " viewer" : ""}`}
            style={{ backgroundColor: user.color }}
            title={label}
            data-testid="presence-user"
            data-name={user.name}
            data-role={user.role}
          >
            <span aria-hidden="true">{initials(user.name)}</span>
            <span className="sr-only">{label}</span>
          </li>
        );
      })}
    </ul>
  );
}
