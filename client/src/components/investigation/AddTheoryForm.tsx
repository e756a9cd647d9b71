import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  addTheory,
  maxLengthOf,
  type Observation,
  TheoryInput,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamPicker, useStreamChoice } from "../streams/StreamPicker.tsx";

/** "What could explain it?" — with the observations that point that way. */
export function AddTheoryForm({
  doc,
  actor,
  observations,
}: {
  doc: Y.Doc;
  actor: Actor;
  observations: Observation[];
}) {
  const [text, setText] = useState("");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const { error, attempt } = useWriteAttempt();
  const stream = useStreamChoice();

  const toggle = (id: string, on: boolean) =>
    setPicked((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    // Keep the order the observations were made in, whatever order they were ticked in.
    const observationIds = observations.filter((o) => picked.has(o.id)).map((o) => o.id);
    if (
      attempt(() =>
        addTheory(doc, { author: actor.name, text, observationIds, streamId: stream.streamId }),
      )
    ) {
      setText("");
      setPicked(new Set());
      stream.reset();
    }
  };

  return (
    <form className="inv-form" data-testid="add-theory" onSubmit={submit}>
      <div className="inv-form-row">
        <input
          aria-label="New theory"
          data-testid="add-theory-text"
          className="grow"
          value={text}
          maxLength={maxLengthOf(TheoryInput.shape.text)}
          placeholder="What could explain it?"
          onChange={(e) => setText(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="add-theory-submit"
          disabled={!text.trim()}
        >
          Add
        </button>
      </div>
      <StreamPicker value={stream.value} onChange={stream.set} testId="add-theory-stream" />
      {observations.length > 0 && (
        <fieldset className="inv-pick">
          <legend>Supported by</legend>
          <div className="inv-pick-list">
            {observations.map((o) => (
              <label key={o.id} className="inv-check">
                <input
                  type="checkbox"
                  data-testid="add-theory-observation"
                  value={o.id}
                  checked={picked.has(o.id)}
                  onChange={(e) => toggle(o.id, e.target.checked)}
                />
                <span className={o.confirmed ? undefined : "inv-unconfirmed-text"}>{o.text}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <InlineError error={error} />
    </form>
  );
}
