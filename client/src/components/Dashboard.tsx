import { can } from "#shared/access.ts";
import type { Me } from "../api.ts";
import { useIncidentList } from "../hooks/useIncidentList.ts";
import { incidentPath, navigate } from "../navigation.ts";
import { DeclareForm } from "./DeclareForm.tsx";
import { IncidentList } from "./IncidentList.tsx";
import "./dashboard.css";
import { MAIN_CONTENT_ID } from "./SkipLink.tsx";

export function Dashboard({ me }: { me: Me }) {
  // A refusal as unauthenticated ends the session (api.ts), which leaves this page.
  const { incidents, error, reload } = useIncidentList();
  return (
    <main id={MAIN_CONTENT_ID} tabIndex={-1} className="page dashboard" data-testid="dashboard">
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
      {can(
        { subject: me.subject, name: me.name, role: me.role, scope: me.scope },
        "create_incident",
      ) && (
        <section className="panel">
          <DeclareForm onDeclared={(incident) => navigate(incidentPath(incident.key))} />
        </section>
      )}
    </main>
  );
}
