import { useEffect, useId, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  EXPERIMENT_STATES,
  type Experiment,
  ExperimentRecord,
  type ExperimentState,
  editRecord,
  maxLengthOf,
  setExperimentState,
  type Theory,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamTag } from "../streams/StreamTag.tsx";
import { EditableText } from "./EditableText.tsx";
import { RecordMeta } from "./RecordMeta.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** What the button that moves an experiment from `from` to `to` says. */
function moveLabel(from: ExperimentState, to: ExperimentState): string {
  if (to === "done") return "Mark done";
  if (to === "planned") return "Back to planned";
  return from === "planned" ? "Start" : "Run again";
}

/**
 * One experiment: what is being tried, which theory it tests, where it stands and
 * what came of it. The outcome is saved when the field loses focus; marking the
 * experiment done carries the outcome onto the timeline too.
 */
export function ExperimentCard({
  experiment,
  theory,
  doc,
  actor,
  readOnly,
  highlight,
  onHover,
}: {
  experiment: Experiment;
  /** The theory it tests, when it names one that is in the document. */
  theory: Theory | undefined;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
  /** Set while this card, or a card linked to it, is hovered. */
  highlight: "focused" | "related" | null;
  onHover: (id: string | null) => void;
}) {
  const { error, attempt } = useWriteAttempt();
  const outcomeId = useId();
  // The outcome being typed; null while the field shows the stored outcome (and follows remote edits).
  const [draft, setDraft] = useState<string | null>(null);
  // An outcome just written here: the document is re-read once per frame, so until then the
  // `experiment` prop still holds the previous one and must not be shown or sent back.
  const [written, setWritten] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: forget the local copy whenever the stored outcome changes
  useEffect(() => setWritten(null), [experiment.outcome]);
  const stored = written ?? experiment.outcome;

  const saveOutcome = () => {
    if (draft === null) return;
    const outcome = draft.trim();
    if (
      outcome !== stored &&
      !attempt(() => editRecord(doc, "experiments", experiment.id, { outcome }))
    )
      return;
    if (outcome !== stored) setWritten(outcome);
    setDraft(null);
  };

  const move = (state: ExperimentState) => {
    // Marking done carries the outcome, so the timeline entry says what the experiment showed.
    const outcome = state === "done" ? (draft ?? stored).trim() : "";
    if (!attempt(() => setExperimentState(doc, experiment.id, state, actor, outcome || undefined)))
      return;
    if (outcome && outcome !== stored) setWritten(outcome);
    if (outcome) setDraft(null);
  };

  const classes = [
    "inv-card",
    "inv-experiment",
    `experiment-${experiment.state}`,
    highlight && `inv-${highlight}`,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <article
      className={classes}
      data-testid="experiment-card"
      data-id={experiment.id}
      data-state={experiment.state}
      data-theory-id={experiment.theoryId}
      onMouseEnter={() => onHover(experiment.id)}
      onMouseLeave={() => onHover(null)}
    >
      <div className="inv-card-head">
        <StateBadge state={experiment.state} testId="experiment-state" />
        <span className="inv-stream">
          <StreamTag
            collection="experiments"
            id={experiment.id}
            streamId={experiment.streamId}
            doc={doc}
            readOnly={readOnly}
          />
        </span>
      </div>
      <EditableText
        text={experiment.text}
        label="experiment"
        readOnly={readOnly}
        testId="experiment-text"
        maxLength={maxLengthOf(ExperimentRecord.shape.text)}
        onSave={(text) => editRecord(doc, "experiments", experiment.id, { text })}
      />
      <RecordMeta author={experiment.author} at={experiment.at} />

      <div className="inv-links" data-testid="experiment-theory">
        <span className="inv-links-label">Tests</span>{" "}
        {theory ? (
          <span className={`inv-tests theory-${theory.state}`}>
            <StateBadge state={theory.state} />{" "}
            <span className="inv-tests-text">{theory.text}</span>
          </span>
        ) : experiment.theoryId ? (
          <span className="muted">a theory that is not in the document</span>
        ) : (
          <span className="muted">no particular theory</span>
        )}
      </div>

      {readOnly ? (
        experiment.outcome ? (
          <div className="inv-outcome">
            <span className="inv-links-label">Outcome</span>
            <p className="inv-text" data-testid="experiment-outcome">
              {experiment.outcome}
            </p>
          </div>
        ) : (
          experiment.state === "done" && <p className="muted inv-outcome">No outcome recorded.</p>
        )
      ) : (
        (experiment.state !== "planned" || stored || draft !== null) && (
          <div className="inv-outcome">
            <label htmlFor={outcomeId} className="inv-links-label">
              Outcome
            </label>
            <textarea
              id={outcomeId}
              data-testid="experiment-outcome"
              rows={2}
              maxLength={maxLengthOf(ExperimentRecord.shape.outcome)}
              placeholder={
                experiment.state === "done" ? "What did it show?" : "Saved when you leave the field"
              }
              value={draft ?? stored}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={saveOutcome}
            />
          </div>
        )
      )}

      {!readOnly && (
        <div className="inv-actions">
          {EXPERIMENT_STATES.filter((state) => state !== experiment.state).map((state) => (
            <button
              key={state}
              type="button"
              className={`inv-move inv-move-${state}`}
              data-testid={`experiment-set-${state}`}
              onClick={() => move(state)}
            >
              {moveLabel(experiment.state, state)}
            </button>
          ))}
        </div>
      )}
      <InlineError error={error} />
    </article>
  );
}
