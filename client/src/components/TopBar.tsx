import { PRINCIPAL_ROLE_LABELS } from "#shared/access.ts";
import type { Me } from "../api.ts";
import { linkClick } from "../navigation.ts";

/** The app's bar; `me` is null once the session is over, and then no name is claimed. */
export function TopBar({ me, onSignOut }: { me: Me | null; onSignOut: () => void }) {
  return (
    <header className="topbar" data-testid="topbar">
      <a href="/" className="brand" data-testid="nav-dashboard" onClick={linkClick("/")}>
        hotdoc
      </a>
      <span className="spacer" />
      {me ? (
        <>
          <span className="me" title={me.email}>
            <span data-testid="me-name">{me.name}</span>
            <span aria-hidden="true"> · </span>
            <span className="muted" data-testid="me-role">
              {PRINCIPAL_ROLE_LABELS[me.role]}
            </span>
          </span>
          <button type="button" className="link" data-testid="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </>
      ) : (
        <span className="me muted" data-testid="me-signed-out">
          Not signed in
        </span>
      )}
    </header>
  );
}
