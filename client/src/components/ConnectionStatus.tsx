import { type UnsavedChanges, useUnsavedCount } from "../hooks/unsavedChanges.ts";
import type { ConnectionRefusal, ConnectionState } from "../hooks/useIncidentDoc.ts";
import "./connection.css";

const LABELS: Record<Exclude<ConnectionState, "refused">, string> = {
  connecting: "connecting…",
  online: "online",
  offline: "offline — edits are kept and sent on reconnect",
};

/** "1 change not yet saved", "3 changes not yet saved". */
function unsavedLabel(count: number): string {
  return `${count} ${count === 1 ? "change" : "changes"} not yet saved`;
}

/**
 * The link to the server, and the changes made here that it has not acknowledged. The
 * count is its own store: as it changes, this re-renders and the page does not.
 */
export function ConnectionStatus({
  status,
  error,
  unsaved,
}: {
  status: ConnectionState;
  error: ConnectionRefusal | null;
  unsaved: UnsavedChanges;
}) {
  const count = useUnsavedCount(unsaved, status === "online");
  const label =
    status === "refused" ? `access refused: ${error?.message ?? "unknown reason"}` : LABELS[status];
  return (
    <span
      className={`connection connection-${status}`}
      role="status"
      data-testid="connection-status"
      data-status={status}
      data-reason={error?.reason}
    >
      <span className="dot" aria-hidden="true" />
      {label}
      {count > 0 && (
        <span className="connection-unsaved" data-testid="connection-unsaved" data-count={count}>
          {unsavedLabel(count)}
        </span>
      )}
    </span>
  );
}
