import { useState } from "react";
import { PRINCIPAL_ROLE_LABELS } from "#shared/access.ts";
import type { Me } from "../api.ts";

/**
 * An access link was opened in a browser that is signed in already. Opening it would
 * replace the session, so the person chooses: a link posted in a chat may be anyone's,
 * and staying is the default.
 */
export function LinkChoice({
  me,
  onStay,
  onUse,
}: {
  me: Me;
  onStay: () => void;
  onUse: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const use = async () => {
    setBusy(true);
    try {
      await onUse();
    } finally {
      setBusy(false);
    }
  };
  return (
    <main
      className="signin-screen stack"
      data-testid="link-choice"
      aria-labelledby="link-choice-title"
    >
      <h1 id="link-choice-title">This link would sign you in as someone else</h1>
      <p data-testid="link-choice-who">
        You are signed in as <strong>{me.name}</strong> ({PRINCIPAL_ROLE_LABELS[me.role]}). Open
        this link as someone else instead?
      </p>
      <div className="row">
        <button
          type="button"
          className="primary"
          data-testid="link-stay"
          autoFocus
          disabled={busy}
          onClick={onStay}
        >
          Stay signed in as {me.name}
        </button>
        <button type="button" data-testid="link-use" disabled={busy} onClick={() => void use()}>
          {busy ? "Opening…" : "Use the link"}
        </button>
      </div>
    </main>
  );
}
