import type { IncidentListItem } from "#shared/incidentList.ts";
import { formatAge } from "../format.ts";
import { useNow } from "../hooks/useNow.ts";
import { incidentPath, linkClick } from "../navigation.ts";
import { SeverityBadge } from "./SeverityBadge.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function IncidentList({ incidents }: { incidents: IncidentListItem[] }) {
  const now = useNow(30_000);
  if (incidents.length === 0) {
    return (
      <div data-testid="incident-list" data-count={0}>
        <p className="muted" data-testid="incident-list-empty">
          No incidents yet.
        </p>
      </div>
    );
  }
  const active = incidents.filter((incident) => incident.active);
  const done = incidents.filter((incident) => !incident.active);
  return (
    <div data-testid="incident-list" data-count={incidents.length}>
      {active.length > 0 ? (
        <IncidentTable incidents={active} now={now} caption={`In progress (${active.length})`} />
      ) : (
        <p className="muted" data-testid="no-active">
          No incident in progress.
        </p>
      )}
      {done.length > 0 && (
        <IncidentTable
          incidents={done}
          now={now}
          caption={`Resolved and closed (${done.length})`}
        />
      )}
    </div>
  );
}

/** In-progress incidents come first and most severe first (the server orders them); resolved ones in a table below. */
function IncidentTable({
  incidents,
  now,
  caption,
}: {
  incidents: IncidentListItem[];
  now: Date;
  caption: string;
}) {
  return (
    <table className="grid incidents">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>Sev</th>
          <th>Key</th>
          <th>Summary</th>
          <th>Status</th>
          <th>Incident manager</th>
          <th>Age</th>
          <th>Last activity</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((incident) => (
          <tr
            key={incident.key}
            className={incident.active ? "active" : "inactive"}
            data-testid="incident-row"
            data-key={incident.key}
            data-active={incident.active}
          >
            <td>
              <SeverityBadge severity={incident.severity} />
            </td>
            <td className="mono nowrap">
              <a
                href={incidentPath(incident.key)}
                onClick={linkClick(incidentPath(incident.key))}
                data-testid="incident-link"
              >
                {incident.key}
              </a>
            </td>
            <td className="summary">
              {incident.summary}
              {incident.service !== "Unknown" && (
                <span className="muted"> · {incident.service}</span>
              )}
            </td>
            <td>
              <StatusBadge status={incident.status} />
            </td>
            <td>{incident.incidentManager ?? <span className="muted">unassigned</span>}</td>
            <td className="mono nowrap" title={incident.createdAt ?? undefined}>
              {formatAge(incident.createdAt, now)}
            </td>
            <td className="mono nowrap" title={incident.updatedAt ?? undefined}>
              {formatAge(incident.updatedAt, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
