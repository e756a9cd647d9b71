import { useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  CHANGE_STATES,
  type ChangeEntry,
  ChangeRecord,
  type ChangeState,
  editRecord,
  maxLengthOf,
  setChangeState,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamTag } from "../streams/StreamTag.tsx";
import { CopyButton } from "./CopyButton.tsx";
import "./changes.css";

const STATE_HINTS: Record<ChangeState, string> = {
  planned: "Not done yet",
  applied: "In effect: still to revert unless it is the fix we keep",
  reverted: "Undone",
  superseded: "Replaced by a later change",
};

/** One change-log row: when, who, what, how, why, revert steps (copyable, editable), state. */
export function ChangeRow({
  change,
  toRevert,
  because,
  doc,
  actor,
  readOnly,
}: {
  change: ChangeEntry;
  toRevert: boolean;
  /** The theory or experiment this change was made for, if it is linked to one. */
  because?: string;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
}) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [steps, setSteps] = useState("");
  const missing = !change.revertSteps;
  const live = change.state === "applied" || change.state === "planned";

  const run = (action: () => void): boolean => {
    try {
      action();
      setError(null);
      return true;
    } catch (e) {
      setError(describeError(e, { revertSteps: "Revert steps", state: "State" }));
      return false;
    }
  };

  const saveSteps = () => {
    const ok = run(() =>
      editRecord(doc, "changes", change.id, {
        revertSteps: steps.trim(),
        updatedAt: new Date().toISOString(),
      }),
    );
    if (ok) setEditing(false);
  };

  const classes = [
    "cl-row",
    `cl-state-${change.state}`,
    toRevert && "to-revert",
    missing && "cl-no-revert",
    missing && live && "cl-no-revert-live",
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <tr
      className={classes}
      data-testid="change-row"
      data-id={change.id}
      data-state={change.state}
      data-still-to-revert={toRevert}
      data-missing-revert={missing}
    >
      <td data-label="When" className="cl-when">
        <time dateTime={change.at} title={change.at}>
          {formatTime(change.at)}
        </time>
      </td>
      <td data-label="Who" className="cl-who">
        {change.author}
      </td>
      <td data-label="What" className="cl-what">
        {change.what}{" "}
        <StreamTag
          collection="changes"
          id={change.id}
          streamId={change.streamId}
          doc={doc}
          readOnly={readOnly}
        />
      </td>
      <td data-label="How" className="cl-how pre">
        {change.how || <span className="muted">—</span>}
      </td>
      <td data-label="Why" className="cl-why">
        {change.why}
        {because && <div className="cl-because">{because}</div>}
        {!change.why && !because && <span className="muted">—</span>}
      </td>
      <td data-label="Revert steps" className="cl-revert">
        {editing ? (
          <div className="cl-revert-edit">
            <textarea
              aria-label={`Revert steps for ${change.what}`}
              data-testid="edit-revert"
              rows={3}
              maxLength={maxLengthOf(ChangeRecord.shape.revertSteps)}
              value={steps}
              autoFocus
              onChange={(e) => setSteps(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") setEditing(false);
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) saveSteps();
              }}
            />
            <div className="cl-actions">
              <button
                type="button"
                className="primary"
                data-testid="edit-revert-save"
                onClick={saveSteps}
              >
                Save
              </button>
              <button type="button" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <>
            {missing ? (
              <span
                className={`cl-flag${live ? "" : " cl-flag-quiet"}`}
                data-testid="missing-revert"
              >
                no revert steps
              </span>
            ) : (
              <div className="cl-steps pre">{change.revertSteps}</div>
            )}
            {!readOnly && (
              <div className="cl-actions">
                {!missing && (
                  <CopyButton
                    text={change.revertSteps}
                    label="Copy revert steps"
                    testId="copy-revert"
                    title="Copy the revert steps to the clipboard"
                  />
                )}
                <button
                  type="button"
                  className="link"
                  data-testid="edit-revert-open"
                  onClick={() => {
                    setSteps(change.revertSteps);
                    setEditing(true);
                  }}
                >
                  {missing ? "Add revert steps" : "Edit"}
                </button>
              </div>
            )}
          </>
        )}
      </td>
      <td data-label="State" className="cl-state">
        {readOnly ? (
          <span
            className={`cl-state-badge cl-state-badge-${change.state}`}
            title={STATE_HINTS[change.state]}
          >
            {change.state}
          </span>
        ) : (
          <select
            aria-label={`State of ${change.what}`}
            data-testid="change-state"
            className={`cl-state-select cl-state-badge-${change.state}`}
            value={change.state}
            title={STATE_HINTS[change.state]}
            onChange={(e) =>
              run(() => setChangeState(doc, change.id, e.target.value as ChangeState, actor))
            }
          >
            {CHANGE_STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        )}
        {toRevert && <span className="badge to-revert cl-to-revert-badge">to revert</span>}
        <InlineError error={error} testId="change-row-error" />
      </td>
    </tr>
  );
}
