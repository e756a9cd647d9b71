import { useState } from "react";
import { type ChangeEntry, setChangeState } from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { InlineError } from "../InlineError.tsx";
import type { SectionProps } from "../sectionProps.ts";
import { CopyButton } from "./CopyButton.tsx";
import "./changes.css";

/** The changes still to undo, newest first (the order to undo them in), as plain text for a runbook or the chat. */
function revertPlan(pending: readonly ChangeEntry[]): string {
  return pending
    .map((c, i) => {
      const steps = c.revertSteps
        ? c.revertSteps.replace(/\n/g, "\n   ")
        : "(no revert steps recorded)";
      return `${i + 1}. Undo: ${c.what} (applied ${formatTime(c.at)} by ${c.author})\n   ${steps}`;
    })
    .join("\n");
}

/**
 * How many of the changes still to revert the list shows until asked for all (the newest,
 * which are undone first); the count, the missing-steps flag and the copied revert plan
 * always cover every one.
 */
const PENDING_SHOWN = 20;

/** "What have we changed, and how do we undo it?": applied changes that are neither reverted nor superseded. */
export function StillToRevert({ incident, doc, actor, readOnly }: SectionProps) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const [error, setError] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const byId = new Map(incident.changes.map((c) => [c.id, c]));
  // The shared reader lists them oldest first; undo goes the other way.
  const pending = incident.stillToRevert
    .map((id) => byId.get(id))
    .filter((c): c is ChangeEntry => c !== undefined)
    .reverse();
  const count = pending.length;
  const missing = pending.filter((c) => !c.revertSteps).length;
  const listed = showAll ? pending : pending.slice(0, PENDING_SHOWN);

  const markReverted = (id: string) => {
    try {
      setChangeState(doc, id, "reverted", actor);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <div
      className={`cl-pending ${count > 0 ? "cl-pending-loud" : "cl-pending-clear"}`}
      data-testid="still-to-revert"
      data-count={count}
      role="status"
      aria-label={`${count} ${count === 1 ? "change" : "changes"} still to revert`}
    >
      <div className="cl-pending-head">
        <span className="cl-pending-title">
          <strong className="cl-pending-count">{count}</strong> {count === 1 ? "change" : "changes"}{" "}
          still to revert
          {missing > 0 && (
            <span className="cl-flag" data-testid="still-to-revert-missing">
              {missing} without revert steps
            </span>
          )}
        </span>
        {count > 0 && !readOnly && (
          <CopyButton
            text={revertPlan(pending)}
            label="Copy revert plan"
            testId="copy-revert-plan"
            title="Copy every change still to revert, newest first, with its revert steps"
          />
        )}
      </div>
      {count === 0 ? (
        <p className="cl-pending-none">
          {incident.changes.length === 0
            ? "No changes recorded."
            : "Nothing applied is left to undo."}
        </p>
      ) : (
        <>
          <ol className="cl-pending-list">
            {listed.map((change) => (
              <li key={change.id} data-testid="still-to-revert-item" data-id={change.id}>
                <div className="cl-pending-what">
                  <strong>{change.what}</strong>{" "}
                  <span className="cl-pending-meta">
                    {change.author} · <time dateTime={change.at}>{formatTime(change.at)}</time>
                  </span>
                  {!readOnly && (
                    <button
                      type="button"
                      className="cl-mark-reverted"
                      data-testid="mark-reverted"
                      title="This change has been undone"
                      onClick={() => markReverted(change.id)}
                    >
                      Mark reverted
                    </button>
                  )}
                </div>
                {change.revertSteps ? (
                  <div className="cl-steps pre">{change.revertSteps}</div>
                ) : (
                  <div className="cl-flag cl-flag-block">
                    No revert steps recorded — how do we undo this?
                  </div>
                )}
              </li>
            ))}
          </ol>
          {listed.length < count && (
            <p className="cl-pending-more">
              <button
                type="button"
                data-testid="still-to-revert-show-all"
                onClick={() => setShowAll(true)}
              >
                Show all {count} ({count - listed.length} older not shown)
              </button>
            </p>
          )}
          {count > 1 && (
            <p className="cl-pending-hint">Newest first — the usual order to undo them in.</p>
          )}
        </>
      )}
      <InlineError error={error} testId="still-to-revert-error" />
    </div>
  );
}
