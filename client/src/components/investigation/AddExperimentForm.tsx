import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  addExperiment,
  ExperimentInput,
  maxLengthOf,
  type Theory,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamPicker, useStreamChoice } from "../streams/StreamPicker.tsx";

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
  const stream = useStreamChoice();
  // A theory picked here may be gone by the time of submitting (an invalid remote edit hides it).
  const chosen = theories.some((t) => t.id === theoryId) ? theoryId : "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (
      attempt(() =>
        addExperiment(doc, {
          author: actor.name,
          text,
          theoryId: chosen || undefined,
          streamId: stream.streamId,
        }),
      )
    ) {
      setText("");
      setTheoryId("");
      stream.reset();
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
          maxLength={maxLengthOf(ExperimentInput.shape.text)}
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
      <StreamPicker value={stream.value} onChange={stream.set} testId="add-experiment-stream" />
      <InlineError error={error} />
    </form>
  );
}
