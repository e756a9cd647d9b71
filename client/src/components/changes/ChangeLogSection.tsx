import type { ChangeEntry, IncidentDocument } from "#shared/doc/index.ts";
import type { SectionProps } from "../sectionProps.ts";
import { inStreamFilter, useStreams } from "../streams/StreamsContext.tsx";
import { AddChangeForm } from "./AddChangeForm.tsx";
import { ChangeRow } from "./ChangeRow.tsx";
import { StillToRevert } from "./StillToRevert.tsx";
import "./changes.css";

/** The theory or experiment a change is linked to, as a short "because" line. */
function linkedReason(change: ChangeEntry, incident: IncidentDocument): string | undefined {
  if (change.experimentId) {
    const experiment = incident.experiments.find((e) => e.id === change.experimentId);
    if (experiment) return `Experiment: ${experiment.text}`;
  }
  if (change.theoryId) {
    const theory = incident.theories.find((t) => t.id === change.theoryId);
    if (theory) return `Theory (${theory.state}): ${theory.text}`;
  }
  return undefined;
}

/**
 * The change log: "what have we changed, and how do we undo it?" answered at the
 * top by the still-to-revert list, then every change with its revert steps and state.
 * The page's stream filter narrows the table; the still-to-revert list always shows
 * every stream's changes, since undoing one may depend on another.
 */
export function ChangeLogSection({ incident, doc, actor, readOnly }: SectionProps) {
  const pending = new Set(incident.stillToRevert);
  const streams = useStreams();
  const changes = incident.changes.filter((c) => inStreamFilter(c, streams));
  const missing = changes.filter((c) => !c.revertSteps).length;

  return (
    <section
      className="panel cl"
      id="changes"
      aria-labelledby="changes-title"
      data-testid="change-log"
      data-count={changes.length}
    >
      <div className="panel-head">
        <h2 id="changes-title">Change log</h2>
        <span className="muted cl-totals">
          {changes.length === incident.changes.length
            ? changes.length
            : `${changes.length} of ${incident.changes.length}`}{" "}
          {incident.changes.length === 1 ? "change" : "changes"}
          {missing > 0 && ` · ${missing} without revert steps`}
        </span>
      </div>

      <StillToRevert incident={incident} doc={doc} actor={actor} readOnly={readOnly} />

      {changes.length > 0 && (
        <div className="cl-table-wrap">
          <table className="grid changes cl-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">How</th>
                <th scope="col">Why</th>
                <th scope="col">Revert steps</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <ChangeRow
                  key={change.id}
                  change={change}
                  toRevert={pending.has(change.id)}
                  because={linkedReason(change, incident)}
                  doc={doc}
                  actor={actor}
                  readOnly={readOnly}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}

      <AddChangeForm incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
    </section>
  );
}
