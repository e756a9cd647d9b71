import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import { type Actor, addObservation } from "#shared/doc/index.ts";
import { InlineError, useWriteAttempt } from "./InlineError.tsx";

/** "What are we seeing?" — one line, Enter adds it. */
export function AddObservationForm({ doc, actor }: { doc: Y.Doc; actor: Actor }) {
  const [text, setText] = useState("");
  const { error, attempt } = useWriteAttempt();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (attempt(() => addObservation(doc, { author: actor.name, text }))) setText("");
  };

  return (
    <form className="inv-form" data-testid="add-observation" onSubmit={submit}>
      <div className="inv-form-row">
        <input
          aria-label="New observation"
          data-testid="add-observation-text"
          className="grow"
          value={text}
          maxLength={8000}
          placeholder="What are we seeing?"
          onChange={(e) => setText(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="add-observation-submit"
          disabled={!text.trim()}
        >
          Add
        </button>
      </div>
      <InlineError error={error} />
    </form>
  );
}
