import { lazy, Suspense, useCallback, useState } from "react";
import { Dashboard } from "./components/Dashboard.tsx";
import { NamePrompt } from "./components/NamePrompt.tsx";
import { NotFound } from "./components/NotFound.tsx";
import { TokenScreen } from "./components/TokenScreen.tsx";
import { TopBar } from "./components/TopBar.tsx";
import { useMe } from "./hooks/useMe.ts";
import { useRoute } from "./hooks/useRoute.ts";
import { useSession } from "./hooks/useSession.ts";

// The editor and the collaboration provider load only when an incident is opened.
const IncidentPage = lazy(() =>
  import("./components/IncidentPage.tsx").then((m) => ({ default: m.IncidentPage })),
);

export function App() {
  const route = useRoute();
  const session = useSession();
  const { setToken, setName } = session;
  const [tokenProblem, setTokenProblem] = useState<string | undefined>();
  const [editingName, setEditingName] = useState(false);
  const me = useMe(session.token ?? "");
  // A share link carries its holder's name (and a viewer's presence shows it whatever
  // the page says), so only shared tokens (admin, on-call) ask who is typing.
  const personal = me?.subject.startsWith("link:") === true;
  const name = personal ? me.name : session.name;

  const refuseToken = useCallback(
    (message: string) => {
      setTokenProblem(message);
      setToken(null);
    },
    [setToken],
  );

  if (!session.token) {
    return (
      <TokenScreen
        problem={tokenProblem}
        onToken={(token) => {
          setTokenProblem(undefined);
          setToken(token);
        }}
      />
    );
  }

  return (
    <div className="app">
      <TopBar
        name={name}
        onChangeName={personal ? undefined : () => setEditingName(true)}
        onForgetToken={() => setToken(null)}
      />
      {me !== null && !personal && (!session.nameAsked || editingName) && (
        <NamePrompt
          onName={(name) => {
            setName(name);
            setEditingName(false);
          }}
        />
      )}
      {route.page === "dashboard" && (
        <Dashboard token={session.token} onTokenRefused={refuseToken} />
      )}
      {route.page === "incident" && (
        <Suspense fallback={<p className="page muted">Loading…</p>}>
          <IncidentPage key={route.key} incidentKey={route.key} token={session.token} name={name} />
        </Suspense>
      )}
      {route.page === "not-found" && <NotFound path={route.path} />}
    </div>
  );
}
