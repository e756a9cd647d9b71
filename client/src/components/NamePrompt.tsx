import { type FormEvent, useState } from "react";
import { ActorSchema, maxLengthOf } from "#shared/doc/index.ts";

/**
 * A link several people hold (the printed admin link, a team's link) opens only once
 * its holder says who they are: the name is written as author and shown to the others,
 * and a personal link is made for it.
 */
export function NamePrompt({
  problem,
  onName,
  onCancel,
}: {
  problem?: string;
  onName: (name: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  // A new key per attempt: the same refusal twice is announced twice.
  const [attempt, setAttempt] = useState(0);
  const shownProblem = busy ? undefined : problem;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = value.trim();
    if (!name) return;
    setAttempt((n) => n + 1);
    setBusy(true);
    try {
      await onName(name);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin-screen">
      <form
        className="stack"
        data-testid="name-prompt"
        onSubmit={submit}
        aria-labelledby="name-title"
      >
        <h1 id="name-title">Who is this?</h1>
        <p>
          Several people may hold the link you opened. Your name tells your teammates who is
          working; hotdoc then gives you a personal link of your own.
        </p>
        {shownProblem && (
          <p className="error" role="alert" id="name-error" key={attempt}>
            {shownProblem}
          </p>
        )}
        <label>
          Your name, as teammates will see it
          <input
            data-testid="name-input"
            value={value}
            required
            autoFocus
            autoComplete="name"
            maxLength={maxLengthOf(ActorSchema.shape.name)}
            aria-invalid={shownProblem ? true : undefined}
            aria-describedby={shownProblem ? "name-error" : undefined}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <div className="row">
          <button
            type="submit"
            className="primary"
            data-testid="name-save"
            disabled={busy || !value.trim()}
          >
            {busy ? "Opening…" : "Continue"}
          </button>
          <button type="button" className="link" data-testid="name-cancel" onClick={onCancel}>
            Use another link
          </button>
        </div>
      </form>
    </main>
  );
}
