import type { IncidentListItem } from "../api.ts";
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
  return (
    <table className="grid incidents" data-testid="incident-list" data-count={incidents.length}>
      <thead>
        <tr>
          <th>Sev</th>
          <th>Key</th>
          <th>Summary</th>
          <th>Status</th>
          <th>Incident manager</th>
          <th>Age</th>
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
            <td className="mono">
              <a href={incidentPath(incident.key)} onClick={linkClick(incidentPath(incident.key))} data-testid="incident-link">
                {incident.key}
              </a>
            </td>
            <td className="summary">{incident.summary}</td>
            <td>
              <StatusBadge status={incident.status} />
            </td>
            <td>{incident.incidentManager ?? <span className="muted">unassigned</span>}</td>
            <td className="mono" title={incident.createdAt ?? undefined}>
              {formatAge(incident.createdAt, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
