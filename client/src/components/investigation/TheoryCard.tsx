import type * as Y from "yjs";
import {
  type Actor,
  type Experiment,
  editRecord,
  maxLengthOf,
  type Observation,
  setTheoryState,
  THEORY_STATES,
  type Theory,
  TheoryRecord,
  type TheoryState,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamTag } from "../streams/StreamTag.tsx";
import { EditableText } from "./EditableText.tsx";
import { RecordMeta } from "./RecordMeta.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** What the button that moves a theory into a state says. */
const MOVE_LABEL: Record<TheoryState, string> = {
  open: "Reopen",
  confirmed: "Confirm",
  disproved: "Disprove",
};

/**
 * One theory with its evidence (the observations that support it) and its tests
 * (the experiments run against it). Confirmed theories are root-cause candidates;
 * disproved ones stay visible, struck through, so nobody chases them twice.
 */
export function TheoryCard({
  theory,
  observations,
  experiments,
  doc,
  actor,
  readOnly,
  highlight,
  onHover,
}: {
  theory: Theory;
  /** Every observation of the incident, in order; the card picks the ones it cites. */
  observations: Observation[];
  /** Experiments that test this theory. */
  experiments: Experiment[];
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
  /** Set while this card, or a card linked to it, is hovered. */
  highlight: "focused" | "related" | null;
  onHover: (id: string | null) => void;
}) {
  const { error, attempt } = useWriteAttempt();
  const byId = new Map(observations.map((o) => [o.id, o]));
  const linked = new Set(theory.observationIds);
  const unlinked = observations.filter((o) => !linked.has(o.id));
  const setLinks = (observationIds: string[]) =>
    attempt(() => editRecord(doc, "theories", theory.id, { observationIds }));

  const classes = [
    "inv-card",
    "inv-theory",
    `theory-${theory.state}`,
    highlight && `inv-${highlight}`,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <article
      className={classes}
      data-testid="theory-card"
      data-id={theory.id}
      data-state={theory.state}
      onMouseEnter={() => onHover(theory.id)}
      onMouseLeave={() => onHover(null)}
    >
      <div className="inv-card-head">
        <StateBadge state={theory.state} testId="theory-state" />
        {theory.state === "confirmed" && (
          <span className="inv-root-cause">root-cause candidate</span>
        )}
        <span className="inv-stream">
          <StreamTag
            collection="theories"
            id={theory.id}
            streamId={theory.streamId}
            doc={doc}
            readOnly={readOnly}
          />
        </span>
      </div>
      <EditableText
        text={theory.text}
        label="theory"
        readOnly={readOnly}
        testId="theory-text"
        maxLength={maxLengthOf(TheoryRecord.shape.text)}
        onSave={(text) => editRecord(doc, "theories", theory.id, { text })}
      />
      <RecordMeta author={theory.author} at={theory.at} />

      <div className="inv-links" data-testid="theory-observations">
        <span className="inv-links-label">Supported by</span>
        {theory.observationIds.length === 0 ? (
          <span className="muted"> no linked observation</span>
        ) : (
          <ul>
            {theory.observationIds.map((id) => {
              const observation = byId.get(id);
              return (
                <li key={id} data-id={id}>
                  {observation ? (
                    <span className={observation.confirmed ? undefined : "inv-unconfirmed-text"}>
                      {observation.text}
                      {!observation.confirmed && <span className="muted"> (unconfirmed)</span>}
                    </span>
                  ) : (
                    <span className="muted">an observation that is not in the document</span>
                  )}
                  {!readOnly && (
                    <button
                      type="button"
                      className="link inv-unlink"
                      aria-label="Unlink this observation"
                      title="Unlink this observation"
                      onClick={() =>
                        setLinks(theory.observationIds.filter((other) => other !== id))
                      }
                    >
                      ×
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {!readOnly && unlinked.length > 0 && (
          <select
            className="inv-link-select"
            aria-label="Link a supporting observation"
            data-testid="theory-link-observation"
            value=""
            onChange={(e) => {
              if (e.target.value) setLinks([...theory.observationIds, e.target.value]);
            }}
          >
            <option value="">+ link an observation…</option>
            {unlinked.map((o) => (
              <option key={o.id} value={o.id}>
                {clip(o.text)}
              </option>
            ))}
          </select>
        )}
      </div>

      <div className="inv-links" data-testid="theory-experiments">
        <span className="inv-links-label">Tested by</span>
        {experiments.length === 0 ? (
          <span className="muted"> no experiment yet</span>
        ) : (
          <ul>
            {experiments.map((experiment) => (
              <li key={experiment.id} data-id={experiment.id}>
                <StateBadge state={experiment.state} /> {experiment.text}
                {experiment.outcome && <span className="muted"> — {experiment.outcome}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>

      {!readOnly && (
        <div className="inv-actions">
          {THEORY_STATES.filter((state) => state !== theory.state).map((state) => (
            <button
              key={state}
              type="button"
              className={`inv-move inv-move-${state}`}
              data-testid={`theory-set-${state}`}
              onClick={() => attempt(() => setTheoryState(doc, theory.id, state, actor))}
            >
              {MOVE_LABEL[state]}
            </button>
          ))}
        </div>
      )}
      <InlineError error={error} />
    </article>
  );
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
