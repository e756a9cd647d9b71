import type { Actor } from "#shared/doc/index.ts";
import { useClock } from "../clock.ts";
import { useHistoryDoc } from "../hooks/useHistoryDoc.ts";
import { useIncidentState } from "../hooks/useIncidentState.ts";
import { ChangeLogSection } from "./changes/ChangeLogSection.tsx";
import { CommsSection } from "./comms/CommsSection.tsx";
import { IncidentHeaderPanel } from "./header/IncidentHeaderPanel.tsx";
import { FollowUpsSection } from "./investigation/FollowUpsSection.tsx";
import { InvestigationSection } from "./investigation/InvestigationSection.tsx";
import { StreamsProvider } from "./streams/StreamsContext.tsx";
import { Timeline } from "./Timeline.tsx";

/** The incident as it stood at `at`: the same sections, read-only, from a document nobody can change. */
export function HistoryView({
  incidentKey,
  at,
  actor,
}: {
  incidentKey: string;
  at: string;
  actor: Actor;
}) {
  const { doc, error } = useHistoryDoc(incidentKey, at);
  const incident = useIncidentState(doc);
  const clock = useClock();
  if (error) {
    return (
      <p className="error" role="alert" data-testid="history-error">
        {error}
      </p>
    );
  }
  if (!incident || !doc) return <p className="muted">Rebuilding {incidentKey} as it stood then…</p>;
  return (
    <StreamsProvider streams={incident.streams} filter={null}>
      <div className="history-view" data-testid="history-view" data-at={at}>
        <p className="history-note">
          {incidentKey} as it stood at{" "}
          <strong className="mono" data-testid="history-view-at" title={clock.label}>
            {clock.format(at, { withDate: true, seconds: true })}
          </strong>
          , read-only.
        </p>
        <IncidentHeaderPanel incident={incident} doc={doc} actor={actor} readOnly at={at} />
        <Timeline entries={incident.timeline} doc={doc} actor={actor} readOnly />
        <ChangeLogSection incident={incident} doc={doc} actor={actor} readOnly />
        <InvestigationSection incident={incident} doc={doc} actor={actor} readOnly />
        <CommsSection incident={incident} doc={doc} actor={actor} readOnly />
        <FollowUpsSection incident={incident} doc={doc} actor={actor} readOnly />
        <section className="panel" id="notes">
          <h2>Notes</h2>
          <p className="pre-wrap">{incident.notes || "—"}</p>
        </section>
      </div>
    </StreamsProvider>
  );
}
