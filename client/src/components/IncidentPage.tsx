import { useMemo } from "react";
import type { Actor } from "../../../shared/doc/index.ts";
import { useIncidentDoc } from "../hooks/useIncidentDoc.ts";
import { useIncidentState } from "../hooks/useIncidentState.ts";
import { colorForName } from "../session.ts";
import { ChangeLog } from "./ChangeLog.tsx";
import { ConnectionStatus } from "./ConnectionStatus.tsx";
import { IncidentHeader } from "./IncidentHeader.tsx";
import { PresenceList } from "./PresenceList.tsx";
import { NotesEditor } from "./NotesEditor.tsx";
import { Timeline } from "./Timeline.tsx";

/** One incident, live: one Y.Doc and one provider for as long as the page is open. */
export function IncidentPage({ incidentKey, token, name }: { incidentKey: string; token: string; name: string }) {
  const { doc, provider, status, synced, error, readOnly } = useIncidentDoc(incidentKey, token);
  const incident = useIncidentState(doc);
  const actor = useMemo<Actor>(() => ({ name, source: "editor" }), [name]);
  const user = useMemo(() => ({ name, color: colorForName(name) }), [name]);

  return (
    <main className="page incident" data-testid="incident-page" data-key={incidentKey}>
      <div className="page-status">
        {readOnly && status === "online" && (
          <span className="badge read-only" data-testid="read-only-marker" title="You can watch this incident live but not change it">
            Read-only
          </span>
        )}
        {provider && <PresenceList provider={provider} />}
        <ConnectionStatus status={status} error={error} />
      </div>
      {!incident || !doc || !provider ? (
        <p className="muted" data-testid="incident-loading">
          {status === "refused" ? `Cannot open ${incidentKey}.` : synced ? `${incidentKey} is not an incident.` : `Opening ${incidentKey}…`}
        </p>
      ) : (
        <>
          <IncidentHeader incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
          <div className="columns">
            <Timeline entries={incident.timeline} doc={doc} actor={actor} readOnly={readOnly} />
            <div className="stack">
              <ChangeLog changes={incident.changes} stillToRevert={incident.stillToRevert} />
              <NotesEditor doc={doc} provider={provider} user={user} readOnly={readOnly} />
            </div>
          </div>
        </>
      )}
    </main>
  );
}
