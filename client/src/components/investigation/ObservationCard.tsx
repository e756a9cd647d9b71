import type * as Y from "yjs";
import {
  editRecord,
  maxLengthOf,
  type Observation,
  ObservationRecord,
  setObservationConfirmed,
  type Theory,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamTag } from "../streams/StreamTag.tsx";
import { EditableText } from "./EditableText.tsx";
import { RecordMeta } from "./RecordMeta.tsx";

/** One observation: what someone saw, who saw it, and whether it has been confirmed. */
export function ObservationCard({
  observation,
  supports,
  doc,
  readOnly,
  highlight,
  onHover,
}: {
  observation: Observation;
  /** Theories that cite this observation. */
  supports: Theory[];
  doc: Y.Doc;
  readOnly: boolean;
  /** Set while this card, or a card linked to it, is hovered. */
  highlight: "focused" | "related" | null;
  onHover: (id: string | null) => void;
}) {
  const { error, attempt } = useWriteAttempt();
  const classes = [
    "inv-card",
    "inv-observation",
    observation.confirmed ? "observation-confirmed" : "observation-unconfirmed",
    highlight && `inv-${highlight}`,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <article
      className={classes}
      data-testid="observation-card"
      data-id={observation.id}
      data-confirmed={observation.confirmed}
      onMouseEnter={() => onHover(observation.id)}
      onMouseLeave={() => onHover(null)}
    >
      <EditableText
        text={observation.text}
        label="observation"
        readOnly={readOnly}
        testId="observation-text"
        maxLength={maxLengthOf(ObservationRecord.shape.text)}
        onSave={(text) => editRecord(doc, "observations", observation.id, { text })}
      />
      <RecordMeta author={observation.author} at={observation.at}>
        {supports.length > 0 && (
          <span title={supports.map((t) => t.text).join("\n")}>
            supports {supports.length} {supports.length === 1 ? "theory" : "theories"}
          </span>
        )}
        <StreamTag
          collection="observations"
          id={observation.id}
          streamId={observation.streamId}
          doc={doc}
          readOnly={readOnly}
        />
        <span className="inv-meta-end">
          {readOnly ? (
            <span
              className={`badge ${observation.confirmed ? "inv-confirmed" : "inv-unconfirmed"}`}
              data-testid="observation-confirmed"
            >
              {observation.confirmed ? "confirmed" : "unconfirmed"}
            </span>
          ) : (
            <label className="inv-check">
              <input
                type="checkbox"
                data-testid="observation-confirmed"
                checked={observation.confirmed}
                onChange={(e) => {
                  const confirmed = e.target.checked;
                  attempt(() => setObservationConfirmed(doc, observation.id, confirmed));
                }}
              />
              confirmed
            </label>
          )}
        </span>
      </RecordMeta>
      <InlineError error={error} />
    </article>
  );
}
