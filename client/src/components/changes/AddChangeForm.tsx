import { type FormEvent, useId, useState } from "react";
import { ChangeInput, maxLengthOf, recordChange } from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { InlineError } from "../InlineError.tsx";
import type { SectionProps } from "../sectionProps.ts";
import { StreamPicker, useStreamChoice } from "../streams/StreamPicker.tsx";
import "./changes.css";

const FIELD_LABELS = {
  what: "What",
  how: "How",
  why: "Why",
  revertSteps: "Revert steps",
  author: "Your name",
};

/** Records a change with its revert steps; the accessor also puts it on the timeline. */
export function AddChangeForm({ incident: _incident, doc, actor, readOnly }: SectionProps) {
  const [what, setWhat] = useState("");
  const [how, setHow] = useState("");
  const [why, setWhy] = useState("");
  const [revertSteps, setRevertSteps] = useState("");
  const [state, setState] = useState<"applied" | "planned">("applied");
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const stream = useStreamChoice();

  if (readOnly) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      recordChange(doc, {
        author: actor.name,
        what,
        how,
        why,
        revertSteps,
        state,
        streamId: stream.streamId,
      });
      setError(null);
      stream.reset();
      setWhat("");
      setHow("");
      setWhy("");
      setRevertSteps("");
      setState("applied");
    } catch (e) {
      setError(describeError(e, FIELD_LABELS));
    }
  };

  return (
    <form
      className="cl-add"
      data-testid="add-change"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`} className="cl-add-title">
        Record a change
      </h3>
      <div className="cl-add-grid">
        <label className="cl-add-what">
          What changed
          <input
            data-testid="add-change-what"
            value={what}
            maxLength={maxLengthOf(ChangeInput.shape.what)}
            placeholder="e.g. Scaled checkout-api from 4 to 12 pods"
            onChange={(e) => setWhat(e.target.value)}
          />
        </label>
        <label>
          How
          <input
            data-testid="add-change-how"
            value={how}
            maxLength={maxLengthOf(ChangeInput.shape.how)}
            placeholder="command, deploy, link"
            onChange={(e) => setHow(e.target.value)}
          />
        </label>
        <label>
          Why
          <input
            data-testid="add-change-why"
            value={why}
            maxLength={maxLengthOf(ChangeInput.shape.why)}
            placeholder="which theory or experiment"
            onChange={(e) => setWhy(e.target.value)}
          />
        </label>
        <label className="cl-add-revert">
          How to revert
          <textarea
            data-testid="add-change-revert"
            value={revertSteps}
            rows={2}
            maxLength={maxLengthOf(ChangeInput.shape.revertSteps)}
            placeholder="Steps to undo it, e.g. kubectl scale deploy/checkout-api --replicas=4"
            aria-describedby={`${id}-revert-hint`}
            onChange={(e) => setRevertSteps(e.target.value)}
          />
          {!revertSteps.trim() && state === "applied" && (
            <span id={`${id}-revert-hint`} className="cl-hint">
              No revert steps yet — the change will be flagged until someone adds them.
            </span>
          )}
        </label>
      </div>
      <div className="cl-add-bar">
        <label className="cl-add-state">
          State
          <select
            data-testid="add-change-state"
            value={state}
            onChange={(e) => setState(e.target.value === "planned" ? "planned" : "applied")}
          >
            <option value="applied">applied (done)</option>
            <option value="planned">planned (about to do)</option>
          </select>
        </label>
        <StreamPicker value={stream.value} onChange={stream.set} testId="add-change-stream" />
        <span className="muted cl-add-as">as {actor.name}</span>
        <button type="submit" className="primary" data-testid="add-change-submit">
          Record change
        </button>
      </div>
      <InlineError error={error} testId="add-change-error" />
    </form>
  );
}
