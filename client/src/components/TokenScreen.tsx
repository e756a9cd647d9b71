import { type FormEvent, useState } from "react";
import { parseToken } from "../session.ts";

/** Shown when the browser has no access token: hotdoc is opened from an access link. */
export function TokenScreen({
  onToken,
  problem,
}: {
  onToken: (token: string) => void;
  problem?: string;
}) {
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = parseToken(value);
    if (token) onToken(token);
    else setInvalid(true);
  };

  return (
    <main className="token-screen" data-testid="token-screen">
      <h1>hotdoc</h1>
      <p>
        You need an <strong>access link</strong> to open incidents. The server prints one when it
        starts (it looks like <code>http://host/HOT-1#token=…</code>); an incident manager can share
        one with you.
      </p>
      {problem && (
        <p className="error" role="alert" data-testid="token-problem">
          {problem}
        </p>
      )}
      <form onSubmit={submit} className="stack">
        <label>
          Access link or token
          <input
            data-testid="token-input"
            value={value}
            autoFocus
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setValue(e.target.value);
              setInvalid(false);
            }}
          />
        </label>
        {invalid && (
          <p className="error" role="alert">
            That is neither a token nor a link with <code>#token=</code>.
          </p>
        )}
        <button
          type="submit"
          className="primary"
          data-testid="token-submit"
          disabled={!value.trim()}
        >
          Continue
        </button>
      </form>
    </main>
  );
}
