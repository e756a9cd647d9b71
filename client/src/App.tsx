import { can } from "#shared/access.ts";
import { Dashboard } from "./components/Dashboard.tsx";
import { LinkChoice } from "./components/LinkChoice.tsx";
import { NamePrompt } from "./components/NamePrompt.tsx";
import { NotFound } from "./components/NotFound.tsx";
import { PersonalLinkNotice } from "./components/PersonalLinkNotice.tsx";
import { SignedInElsewhere } from "./components/SignedInElsewhere.tsx";
import { SignInScreen } from "./components/SignInScreen.tsx";
import { SkipLinks } from "./components/SkipLink.tsx";
import { TopBar } from "./components/TopBar.tsx";
import { useRoute } from "./hooks/useRoute.ts";
import { type SessionState, useSession } from "./hooks/useSession.ts";
import { useIncidentPageCode } from "./incidentPageCode.ts";

export function App({ starting }: { starting: Promise<SessionState> }) {
  const route = useRoute();
  const session = useSession(starting);
  // The editor and the collaboration provider load only when an incident is opened.
  const IncidentPage = useIncidentPageCode(route.page === "incident");
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
        onCancel={session.dropLink}
      />
    );
  }
  if (state.phase === "link-offered") {
    const { token } = state;
    return (
      <LinkChoice me={state.me} onStay={session.dropLink} onUse={() => session.openLink(token)} />
    );
  }
  // Once the session is over only an incident page has something to keep (its unsaved
  // changes): it stays, and is signed in again from there. Anywhere else, sign in.
  if (state.phase === "ended" && route.page !== "incident")
    return (
      <SignInScreen
        problem={state.linkProblem ?? state.problem}
        onLink={(token) => session.openLink(token)}
      />
    );

  const signedIn = state.phase === "signed-in" ? state : null;
  const ended =
    state.phase === "ended"
      ? {
          message: state.problem,
          linkProblem: state.linkProblem,
          onLink: (token: string) => session.openLink(token),
        }
      : undefined;
  const { me } = state;
  return (
    <div className="app">
      <SkipLinks
        toQuickAdd={
          signedIn !== null &&
          route.page === "incident" &&
          can(
            {
              subject: signedIn.me.subject,
              name: signedIn.me.name,
              role: signedIn.me.role,
              scope: signedIn.me.scope,
              shared: signedIn.me.shared,
            },
            "edit",
            route.key,
          )
        }
      />
      <TopBar me={signedIn?.me ?? null} onSignOut={() => void session.signOut()} />
      {signedIn?.alert && (
        <div className="notice" role="alert" data-testid="signin-alert">
          <p>{signedIn.alert}</p>
          <button
            type="button"
            className="link"
            data-testid="signin-alert-dismiss"
            onClick={() => session.dismiss("alert")}
          >
            Dismiss
          </button>
        </div>
      )}
      {signedIn?.personalLink && (
        <PersonalLinkNotice
          link={signedIn.personalLink}
          onDismiss={() => session.dismiss("personalLink")}
        />
      )}
      {route.page === "dashboard" && <Dashboard me={me} />}
      {route.page === "signed-in" && <SignedInElsewhere me={me} />}
      {route.page === "incident" &&
        (IncidentPage === "failed" ? (
          <p className="page" role="alert" data-testid="page-code-failed">
            This page could not be loaded.{" "}
            <button type="button" className="link" onClick={() => location.reload()}>
              Reload
            </button>
          </p>
        ) : IncidentPage === null ? (
          <p className="page muted">Loading…</p>
        ) : (
          <IncidentPage key={route.key} incidentKey={route.key} me={me} ended={ended} />
        ))}
      {route.page === "not-found" && <NotFound path={route.path} />}
    </div>
  );
}
