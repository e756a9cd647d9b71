import type { ConnectionRefusal, ConnectionState } from "../hooks/useIncidentDoc.ts";

const LABELS: Record<Exclude<ConnectionState, "refused">, string> = {
  connecting: "connecting…",
  online: "online",
  offline: "offline — edits are kept and sent on reconnect",
};

export function ConnectionStatus({
  status,
  error,
}: {
  status: ConnectionState;
  error: ConnectionRefusal | null;
}) {
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
    </span>
  );
}
