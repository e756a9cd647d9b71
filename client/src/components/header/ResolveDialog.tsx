import { type FormEvent, useId, useLayoutEffect, useRef, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  type ChangeEntry,
  type IncidentDocument,
  type IncidentFieldsInput,
  setIncidentFields,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import "./times.css";

type Problem = { field: "ended" | "started" | "form"; message: string };

/**
 * Asks before an incident is resolved: when did impact end (prefilled "now", typed in
 * the page's clock), when did it start if nobody has said yet, and which changes are
 * still applied, since resolving reverts nothing. Confirming writes the end (and the
 * start) with the status in one transaction, so the typed end is what the document
 * keeps; cancelling, Escape included, writes nothing. A modal `<dialog>`: the page
 * behind it is inert, focus starts in the first field and goes back where it was.
 */
export function ResolveDialog({
  incident,
  doc,
  actor,
  onClose,
}: {
  incident: IncidentDocument;
  doc: Y.Doc;
  actor: Actor;
  /** The dialog is done (resolved or cancelled); the caller stops rendering it. */
  onClose: () => void;
}) {
  const clock = useClock();
  const dialog = useRef<HTMLDialogElement>(null);
  const endInput = useRef<HTMLInputElement>(null);
  const ids = useId();
  const [ended, setEnded] = useState(() =>
    incident.times.endedAt ? clock.forInput(incident.times.endedAt) : "now",
  );
  const [started, setStarted] = useState("");
  const [startUnknown, setStartUnknown] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  // Asked once when the dialog opens: a start typed elsewhere meanwhile does not remove the field.
  const [askStart] = useState(() => !incident.times.startedAt);

  useLayoutEffect(() => {
    const element = dialog.current;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (element && !element.open) element.showModal();
    endInput.current?.focus();
    endInput.current?.select();
    return () => {
      if (element?.open) element.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  const byId = new Map(incident.changes.map((c) => [c.id, c]));
  // The shared reader lists them oldest first; undoing goes the other way.
  const pending = incident.stillToRevert
    .map((id) => byId.get(id))
    .filter((c): c is ChangeEntry => c !== undefined)
    .reverse();

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    const end = clock.parse(ended, "past");
    if (!end.ok) {
      setProblem({ field: "ended", message: end.message });
      return;
    }
    const patch: IncidentFieldsInput = { endedAt: end.at.toISOString() };
    let start = incident.times.startedAt ? new Date(incident.times.startedAt) : null;
    if (askStart && !startUnknown) {
      if (started.trim() === "") {
        setProblem({
          field: "started",
          message: 'When did impact start? Type it (e.g. "40 min ago"), or tick "not known".',
        });
        return;
      }
      const parsed = clock.parse(started, "past");
      if (!parsed.ok) {
        setProblem({ field: "started", message: parsed.message });
        return;
      }
      start = parsed.at;
      patch.startedAt = parsed.at.toISOString();
    }
    if (start && end.at.getTime() < start.getTime()) {
      setProblem({
        field: "ended",
        message: `The end of impact (${clock.format(end.at, { withDate: true })}) is before its start (${clock.format(start, { withDate: true })}).`,
      });
      return;
    }
    try {
      setIncidentFields(doc, { ...patch, status: "resolved" }, actor);
    } catch (error) {
      setProblem({ field: "form", message: describeError(error) });
      return;
    }
    onClose();
  };

  const errorId = `${ids}-error`;
  const errorFor = (field: Problem["field"]) => (problem?.field === field ? errorId : undefined);

  return (
    // The dialog's own Escape closes it natively; React's state decides instead.
    <dialog
      ref={dialog}
      className="tm-dialog"
      data-testid="resolve-dialog"
      aria-labelledby={`${ids}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={confirm} noValidate>
        <h2 id={`${ids}-title`}>Resolve {incident.key}?</h2>
        <p className="tm-dialog-note">
          Resolved means the business impact has ended. Times in {clock.label}; type e.g. now, 10
          min ago or 14:05.
        </p>

        <div className="tm-dialog-field">
          <label htmlFor={`${ids}-ended`}>When did impact end?</label>
          <input
            ref={endInput}
            id={`${ids}-ended`}
            type="text"
            autoComplete="off"
            spellCheck={false}
            data-testid="resolve-ended"
            value={ended}
            aria-invalid={problem?.field === "ended" ? true : undefined}
            aria-describedby={errorFor("ended")}
            onChange={(e) => {
              setEnded(e.currentTarget.value);
              setProblem(null);
            }}
          />
        </div>

        {askStart && (
          <div className="tm-dialog-field">
            <label htmlFor={`${ids}-started`}>When did impact start?</label>
            <input
              id={`${ids}-started`}
              type="text"
              autoComplete="off"
              spellCheck={false}
              placeholder="e.g. 40 min ago"
              data-testid="resolve-started"
              value={started}
              disabled={startUnknown}
              aria-invalid={problem?.field === "started" ? true : undefined}
              aria-describedby={[errorFor("started"), `${ids}-started-note`]
                .filter(Boolean)
                .join(" ")}
              onChange={(e) => {
                setStarted(e.currentTarget.value);
                setProblem(null);
              }}
            />
            <span className="tm-dialog-note" id={`${ids}-started-note`}>
              Nobody has said yet; without it TTD and TTR stay unknown.
            </span>
            <label className="tm-dialog-unknown">
              <input
                type="checkbox"
                data-testid="resolve-started-unknown"
                checked={startUnknown}
                onChange={(e) => {
                  setStartUnknown(e.currentTarget.checked);
                  setProblem(null);
                }}
              />
              Not known
            </label>
          </div>
        )}

        <section
          className="tm-pending"
          data-testid="resolve-pending"
          data-count={pending.length}
          aria-labelledby={`${ids}-pending`}
        >
          <h3 id={`${ids}-pending`}>
            {pending.length === 0
              ? "No changes are still applied"
              : `${pending.length} ${pending.length === 1 ? "change is" : "changes are"} still applied`}
          </h3>
          {pending.length > 0 && (
            <>
              <p className="tm-pending-note">
                Resolving reverts nothing: undo these or mark them reverted in the change log.
              </p>
              <ol>
                {pending.map((change) => (
                  <li key={change.id} data-testid="resolve-pending-item" data-id={change.id}>
                    <strong>{change.what}</strong> ({change.author},{" "}
                    <time dateTime={change.at}>{clock.format(change.at)}</time>)
                    <div className="tm-pending-steps">
                      {change.revertSteps || "No revert steps recorded."}
                    </div>
                  </li>
                ))}
              </ol>
            </>
          )}
        </section>

        {problem && (
          <p className="error" role="alert" id={errorId} data-testid="resolve-error">
            {problem.message}
          </p>
        )}

        <div className="tm-dialog-actions">
          <button type="button" data-testid="resolve-cancel" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="resolve-confirm">
            Resolve
          </button>
        </div>
      </form>
    </dialog>
  );
}
