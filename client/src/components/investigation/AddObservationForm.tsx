import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import { type Actor, addObservation, maxLengthOf, ObservationInput } from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamPicker, useStreamChoice } from "../streams/StreamPicker.tsx";

/** "What are we seeing?" — one line, Enter adds it. */
export function AddObservationForm({ doc, actor }: { doc: Y.Doc; actor: Actor }) {
  const [text, setText] = useState("");
  const { error, attempt } = useWriteAttempt();
  const stream = useStreamChoice();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (
      attempt(() => addObservation(doc, { author: actor.name, text, streamId: stream.streamId }))
    ) {
      setText("");
      stream.reset();
    }
  };

  return (
    <form className="inv-form" data-testid="add-observation" onSubmit={submit}>
      <div className="inv-form-row">
        <input
          aria-label="New observation"
          data-testid="add-observation-text"
          className="grow"
          value={text}
          maxLength={maxLengthOf(ObservationInput.shape.text)}
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
      <StreamPicker value={stream.value} onChange={stream.set} testId="add-observation-stream" />
      <InlineError error={error} />
    </form>
  );
}
