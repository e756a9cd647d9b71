import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import { type Actor, addExperiment, type Theory } from "#shared/doc/index.ts";
import { InlineError, useWriteAttempt } from "./InlineError.tsx";

/** "How do we find out?" — and which theory it would confirm or disprove. */
export function AddExperimentForm({
  doc,
  actor,
  theories,
}: {
  doc: Y.Doc;
  actor: Actor;
  theories: Theory[];
}) {
  const [text, setText] = useState("");
  const [theoryId, setTheoryId] = useState("");
  const { error, attempt } = useWriteAttempt();
  // A theory picked here may be gone by the time of submitting (an invalid remote edit hides it).
  const chosen = theories.some((t) => t.id === theoryId) ? theoryId : "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (
      attempt(() => addExperiment(doc, { author: actor.name, text, theoryId: chosen || undefined }))
    ) {
      setText("");
      setTheoryId("");
    }
  };

  return (
    <form className="inv-form" data-testid="add-experiment" onSubmit={submit}>
      <div className="inv-form-row">
        <input
          aria-label="New experiment"
          data-testid="add-experiment-text"
          className="grow"
          value={text}
          maxLength={8000}
          placeholder="How do we find out?"
          onChange={(e) => setText(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="add-experiment-submit"
          disabled={!text.trim()}
        >
          Add
        </button>
      </div>
      <select
        aria-label="Theory it tests"
        data-testid="add-experiment-theory"
        value={chosen}
        onChange={(e) => setTheoryId(e.target.value)}
      >
        <option value="">Tests no particular theory</option>
        {theories.map((t) => (
          <option key={t.id} value={t.id}>
            {`${t.state === "open" ? "" : `[${t.state}] `}${t.text.length > 90 ? `${t.text.slice(0, 89)}…` : t.text}`}
          </option>
        ))}
      </select>
      <InlineError error={error} />
    </form>
  );
}
