import { useState } from "react";
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
 * How many of the newest changes the table shows at first, and how many more each "show
 * earlier" adds. A long incident's change log (a thousand rows of editable cells) is
 * most of the page's elements; rendering all of them cost seconds before the page could
 * be used, for rows few people scroll to.
 */
const CHANGE_ROWS_PAGE = 100;

/**
 * The change log: "what have we changed, and how do we undo it?" answered at the
 * top by the still-to-revert list, then every change with its revert steps and state,
 * the newest CHANGE_ROWS_PAGE at first and earlier ones on request.
 * The page's stream filter narrows the table; the still-to-revert list always shows
 * every stream's changes, since undoing one may depend on another.
 */
export function ChangeLogSection({ incident, doc, actor, readOnly }: SectionProps) {
  const [limit, setLimit] = useState(CHANGE_ROWS_PAGE);
  const pending = new Set(incident.stillToRevert);
  const streams = useStreams();
  const changes = incident.changes.filter((c) => inStreamFilter(c, streams));
  const missing = changes.filter((c) => !c.revertSteps).length;
  // Oldest first, so the rows left out are the earliest.
  const hidden = Math.max(0, changes.length - limit);
  const rows = hidden > 0 ? changes.slice(hidden) : changes;

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
          {hidden > 0 && (
            <p className="cl-earlier" data-testid="changes-earlier" data-hidden={hidden}>
              <span>
                {hidden} earlier {hidden === 1 ? "change" : "changes"} not shown
              </span>
              <button
                type="button"
                data-testid="changes-show-earlier"
                onClick={() => setLimit((l) => l + CHANGE_ROWS_PAGE)}
              >
                Show {Math.min(hidden, CHANGE_ROWS_PAGE)} earlier
              </button>
              {hidden > CHANGE_ROWS_PAGE && (
                <button
                  type="button"
                  data-testid="changes-show-all"
                  onClick={() => setLimit(Number.POSITIVE_INFINITY)}
                >
                  Show all {changes.length}
                </button>
              )}
            </p>
          )}
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
              {rows.map((change) => (
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
