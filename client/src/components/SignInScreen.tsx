import { type FormEvent, useEffect, useState } from "react";
import { tokenFromLink } from "#shared/accessLink.ts";
import { fetchAuthConfig } from "../api.ts";

/**
 * Shown to a browser without a session: sign in with the identity provider (when
 * the server has one), or open an access link someone gave you.
 */
export function SignInScreen({
  problem,
  onLink,
}: {
  problem?: string;
  onLink: (token: string) => Promise<void>;
}) {
  const [oidc, setOidc] = useState<{ name: string } | null>(null);
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    fetchAuthConfig(controller.signal).then(
      (config) => setOidc(config.oidc),
      () => setOidc(null),
    );
    return () => controller.abort();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const token = tokenFromLink(value);
    if (!token) {
      setInvalid(true);
      return;
    }
    setBusy(true);
    try {
      await onLink(token);
    } finally {
      setBusy(false);
    }
  };

  const next = `${location.pathname}${location.search}`;
  return (
    <main className="signin-screen stack" data-testid="signin-screen">
      <h1>hotdoc</h1>
      {problem && (
        <p className="error" role="alert" data-testid="signin-error">
          {problem}
        </p>
      )}
      {oidc && (
        <a
          className="button primary"
          data-testid="signin-oidc"
          href={`/auth/login?next=${encodeURIComponent(next)}`}
        >
          Sign in with {oidc.name}
        </a>
      )}
      <form onSubmit={submit} className="stack" aria-labelledby="link-title">
        <h2 id="link-title">Open with an access link</h2>
        <p className="muted">
          The server prints one when it starts (it looks like <code>http://host/#token=…</code>
          ); an incident manager can share one for an incident with you.
        </p>
        <label>
          Access link or token
          <input
            data-testid="link-input"
            value={value}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? "link-invalid" : undefined}
            onChange={(e) => {
              setValue(e.target.value);
              setInvalid(false);
            }}
          />
        </label>
        {invalid && (
          <p className="error" role="alert" id="link-invalid">
            That is neither a token nor a link with <code>#token=</code>.
          </p>
        )}
        <button
          type="submit"
          className={oidc ? undefined : "primary"}
          data-testid="link-submit"
          disabled={busy || !value.trim()}
        >
          {busy ? "Opening…" : "Open"}
        </button>
      </form>
    </main>
  );
}
