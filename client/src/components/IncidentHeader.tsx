import type * as Y from "yjs";
import type { Actor, IncidentDocument } from "../../../shared/doc/index.ts";
import { IncidentTimes } from "./IncidentTimes.tsx";
import { SeverityBadge } from "./SeverityBadge.tsx";
import { SeveritySelect } from "./SeveritySelect.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function IncidentHeader({
  incident,
  doc,
  actor,
  readOnly,
}: {
  incident: IncidentDocument;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
}) {
  return (
    <section className="incident-header" data-testid="incident-header">
      <h1>
        <span className="mono" data-testid="header-key">
          {incident.key}
        </span>{" "}
        <span data-testid="header-summary">{incident.summary}</span>
      </h1>
      <div className="facts">
        <SeverityBadge severity={incident.severity} testId="header-severity" />
        {!readOnly && <SeveritySelect doc={doc} severity={incident.severity} actor={actor} />}
        <StatusBadge status={incident.status} testId="header-status" />
        <span>
          IM:{" "}
          <strong data-testid="header-im">{incident.incidentManager ?? <span className="muted">unassigned</span>}</strong>
        </span>
        <span>
          Service: <strong data-testid="header-service">{incident.service}</strong>
        </span>
        {incident.products.length > 0 && (
          <span>
            Products: <strong data-testid="header-products">{incident.products.join(", ")}</strong>
          </span>
        )}
        <IncidentTimes times={incident.times} />
      </div>
    </section>
  );
}
