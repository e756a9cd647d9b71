import { type FormEvent, useState } from "react";
import { tokenFromLink } from "#shared/accessLink.ts";
import type { Me } from "../api.ts";
import { type UnsavedChanges, useUnsavedCount } from "../hooks/unsavedChanges.ts";
import { SIGNED_IN_PATH } from "../navigation.ts";
import "./connection.css";

/** Why the session ended, and how to sign in again without leaving the page. */
export interface SessionEnd {
  message: string;
  /** Why the last link given to sign in again was refused. */
  linkProblem?: string;
  onLink: (token: string) => Promise<void>;
}

/**
 * The banner at the top of an incident page whose session is over (signed out, link
 * revoked or expired): what happened, that nothing can be changed here any more, and how
 * to carry on. The page and its changes not yet saved stay: signing in again never
 * reloads it. With the identity provider, the sign-in runs in a new tab (this one picks
 * the new session up when it is back in front); with an access link, the link is given
 * right here. The count of unsaved changes is live (its own store).
 */
export function SignedOutNotice({
  end,
  me,
  unsaved: changes,
}: {
  end: SessionEnd;
  me: Me;
  unsaved: UnsavedChanges;
}) {
  const unsaved = useUnsavedCount(changes, false);
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  // A new key per attempt: the same refusal twice is announced twice.
  const [attempt, setAttempt] = useState(0);
  const identityProvider = me.subject.startsWith("oidc:");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const token = tokenFromLink(value);
    setInvalid(!token);
    if (!token) return;
    setAttempt((n) => n + 1);
    setBusy(true);
    try {
      await end.onLink(token);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="notice session-ended" data-testid="signed-out" aria-label="Session ended">
      <p role="alert">
        <strong>{end.message}</strong> Nothing can be changed on this page until you sign in again
        {identityProvider ? "" : " with your access link"}.{" "}
        {unsaved > 0 && (
          <span data-testid="unsaved-changes" data-count={unsaved}>
            {unsaved} unsaved {unsaved === 1 ? "change" : "changes"}: kept in this tab and sent when
            you sign in again, so keep this tab open.
          </span>
        )}
      </p>
      {identityProvider ? (
        <>
          <a
            className="button primary"
            data-testid="sign-in-again"
            href={`/auth/login?next=${encodeURIComponent(SIGNED_IN_PATH)}`}
            target="_blank"
            rel="noopener"
          >
            Sign in again
          </a>
          <span className="muted">It opens in a new tab; then come back to this one.</span>
        </>
      ) : (
        <form className="row grow" onSubmit={submit}>
          <label className="grow">
            Your access link
            <input
              data-testid="relink-input"
              value={value}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={invalid || end.linkProblem !== undefined || undefined}
              aria-describedby={invalid || end.linkProblem ? "relink-error" : undefined}
              onChange={(e) => {
                setValue(e.target.value);
                setInvalid(false);
              }}
            />
          </label>
          <button
            type="submit"
            className="primary"
            data-testid="relink-submit"
            disabled={busy || !value.trim()}
          >
            {busy ? "Signing in…" : "Sign in again"}
          </button>
        </form>
      )}
      {!busy && (invalid || end.linkProblem) && (
        <p className="error" role="alert" id="relink-error" key={attempt}>
          {invalid ? "That is neither a token nor a link with #token=." : end.linkProblem}
        </p>
      )}
    </section>
  );
}
