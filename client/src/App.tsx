import { lazy, Suspense } from "react";
import { Dashboard } from "./components/Dashboard.tsx";
import { NamePrompt } from "./components/NamePrompt.tsx";
import { NotFound } from "./components/NotFound.tsx";
import { PersonalLinkNotice } from "./components/PersonalLinkNotice.tsx";
import { SignInScreen } from "./components/SignInScreen.tsx";
import { TopBar } from "./components/TopBar.tsx";
import { useRoute } from "./hooks/useRoute.ts";
import { type SessionState, useSession } from "./hooks/useSession.ts";

// The editor and the collaboration provider load only when an incident is opened.
const IncidentPage = lazy(() =>
  import("./components/IncidentPage.tsx").then((m) => ({ default: m.IncidentPage })),
);

export function App({ starting }: { starting: Promise<SessionState> }) {
  const route = useRoute();
  const session = useSession(starting);
  const { state } = session;

  if (state.phase === "starting") return <p className="page muted">Opening hotdoc…</p>;
  if (state.phase === "signed-out")
    return <SignInScreen problem={state.problem} onLink={(token) => session.openLink(token)} />;
  if (state.phase === "name-required") {
    const { token } = state;
    return (
      <NamePrompt
        problem={state.problem}
        onName={(name) => session.openLink(token, name)}
        onCancel={() => void session.signOut()}
      />
    );
  }

  const { me, personalLink } = state;
  return (
    <div className="app">
      <TopBar me={me} onSignOut={() => void session.signOut()} />
      {personalLink && (
        <PersonalLinkNotice link={personalLink} onDismiss={session.dismissPersonalLink} />
      )}
      {route.page === "dashboard" && <Dashboard me={me} />}
      {route.page === "incident" && (
        <Suspense fallback={<p className="page muted">Loading…</p>}>
          <IncidentPage key={route.key} incidentKey={route.key} me={me} />
        </Suspense>
      )}
      {route.page === "not-found" && <NotFound path={route.path} />}
    </div>
  );
}
