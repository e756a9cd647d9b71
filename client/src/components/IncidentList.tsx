import type { IncidentListItem } from "#shared/incidentList.ts";
import { useClock } from "../clock.ts";
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

/**
 * In-progress incidents come first and most severe first (the server orders them); resolved
 * ones in a table below. On a phone each row becomes a card (dashboard.css): the column
 * headers are then out of sight, so the cells whose meaning is not obvious from their
 * content carry a short label of their own, shown only there (hidden from screen readers,
 * which still announce the column header).
 */
function IncidentTable({
  incidents,
  now,
  caption,
}: {
  incidents: IncidentListItem[];
  now: Date;
  caption: string;
}) {
  const clock = useClock();
  const label = (text: string) => (
    <span className="cell-label" aria-hidden="true">
      {text}{" "}
    </span>
  );
  return (
    <table className="grid incidents">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Sev</th>
          <th scope="col">Key</th>
          <th scope="col">Summary</th>
          <th scope="col">Status</th>
          <th scope="col">Incident manager</th>
          <th scope="col">Age</th>
          <th scope="col">Last activity</th>
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
            <td className="cell-sev">
              <SeverityBadge severity={incident.severity} />
            </td>
            <td className="cell-key mono nowrap">
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
            <td className="cell-status">
              <StatusBadge status={incident.status} />
            </td>
            <td className="cell-im" data-testid="incident-im">
              {label("IM")}
              {incident.incidentManager ?? <span className="muted">unassigned</span>}
            </td>
            <td
              className="cell-age nowrap"
              title={
                incident.createdAt ? `Declared ${clock.format(incident.createdAt)}` : undefined
              }
            >
              {label("Declared")}
              <span className="mono">{formatAge(incident.createdAt, now)}</span>
            </td>
            <td
              className="cell-activity nowrap"
              data-testid="incident-last-activity"
              data-at={incident.lastActivityAt}
              title={`Last change ${clock.format(incident.lastActivityAt)}`}
            >
              {label("Last activity")}
              <span className="mono">{formatAge(incident.lastActivityAt, now)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
