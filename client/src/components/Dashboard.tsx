import { useEffect } from "react";
import { can } from "#shared/access.ts";
import { useIncidentList } from "../hooks/useIncidentList.ts";
import { useMe } from "../hooks/useMe.ts";
import { incidentPath, navigate } from "../navigation.ts";
import { DeclareForm } from "./DeclareForm.tsx";
import { IncidentList } from "./IncidentList.tsx";

export function Dashboard({
  token,
  onTokenRefused,
}: {
  token: string;
  onTokenRefused: (message: string) => void;
}) {
  const { incidents, error, reload } = useIncidentList(token);
  const me = useMe(token);
  const refusal = error?.unauthenticated ? error.message : null;
  useEffect(() => {
    if (refusal) onTokenRefused(refusal);
  }, [refusal, onTokenRefused]);
  return (
    <main className="page dashboard" data-testid="dashboard">
      <section className="panel" aria-labelledby="incidents-title">
        <div className="panel-head">
          <h2 id="incidents-title">Incidents</h2>
          <button
            type="button"
            className="link"
            data-testid="incident-list-reload"
            onClick={reload}
          >
            Refresh
          </button>
        </div>
        {error && !error.unauthenticated && (
          <p className="error" role="alert" data-testid="incident-list-error">
            {error.message}
          </p>
        )}
        {incidents === null ? (
          !error && <p className="muted">Loading…</p>
        ) : (
          <IncidentList incidents={incidents} />
        )}
      </section>
      {me && can(me, "create_incident") && (
        <section className="panel">
          <DeclareForm
            token={token}
            onDeclared={(incident) => navigate(incidentPath(incident.key))}
          />
        </section>
      )}
    </main>
  );
}
