import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  CHAT_SOURCES,
  correctTimelineEntry,
  maxLengthOf,
  removeTimelineEntry,
  type TimelineEntry,
  TimelineEntryInput,
  TimelineRemovalInput,
} from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { TypedTimeInput } from "./TypedTimeInput.tsx";

/** What a record an entry stands for is called, for the note that correcting the entry leaves it alone. */
const RECORD_NAMES: Record<NonNullable<TimelineEntry["ref"]>["collection"], string> = {
  changes: "change",
  observations: "observation",
  theories: "theory",
  experiments: "experiment",
  comms: "comms update",
  followUps: "follow-up",
  roles: "role assignment",
  pages: "page",
  publications: "publication",
};

/**
 * Where a record's own text can be changed, for the note that removing the entry leaves
 * it; null where it cannot (a sent update stays as sent; a role holds only a name).
 */
const RECORD_PLACES: Record<NonNullable<TimelineEntry["ref"]>["collection"], string | null> = {
  changes: "in the change log",
  observations: "under Investigation",
  theories: "under Investigation",
  experiments: "under Investigation",
  comms: null,
  followUps: "under Follow-ups",
  roles: null,
  pages: null,
  publications: null,
};

const LABELS = { text: "Text", at: "Time", reason: "Reason" };

/** How the editor closed itself, so the row knows where the focus goes next. */
export type CorrectionOutcome = "saved" | "cancelled" | "removed";

/**
 * Correcting one timeline entry in place: its text, its time (typed as responders
 * think of it, in the page's zone), whether it is a key event, or removing its text
 * for a reason. Escape closes it without saving. What it writes goes through the
 * shared accessors, which record who corrected what and when.
 */
export function TimelineCorrectionEditor({
  entry,
  doc,
  actor,
  onClose,
}: {
  entry: TimelineEntry;
  doc: Y.Doc;
  actor: Actor;
  /** The editor is done: the row closes it and decides where the focus goes. */
  onClose: (outcome: CorrectionOutcome) => void;
}) {
  const clock = useClock();
  const [text, setText] = useState(entry.text);
  const [initialTime] = useState(() => clock.forInput(entry.at));
  const [time, setTime] = useState(initialTime);
  const [timeError, setTimeError] = useState<string | null>(null);
  const [pinned, setPinned] = useState(entry.pinned);
  const [removing, setRemoving] = useState(false);
  const [reason, setReason] = useState("");
  const write = useWriteAttempt();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);

  useEffect(() => textRef.current?.focus(), []);
  useEffect(() => {
    if (removing) reasonRef.current?.focus();
  }, [removing]);

  const save = (event?: FormEvent) => {
    event?.preventDefault();
    let at: string | undefined;
    // The field shows the time to the minute: only a time someone typed re-times the entry.
    if (time.trim() !== initialTime) {
      const parsed = clock.parse(time, "past");
      if (!parsed.ok) {
        setTimeError(parsed.message);
        return;
      }
      at = parsed.at.toISOString();
    }
    setTimeError(null);
    const draft = text.trim();
    const saved = write.attempt(() =>
      correctTimelineEntry(
        doc,
        entry.id,
        { text: draft === entry.text.trim() ? undefined : draft, at, pinned },
        actor,
      ),
    );
    if (saved) onClose("saved");
  };

  const remove = () => {
    if (write.attempt(() => removeTimelineEntry(doc, entry.id, { reason }, actor)))
      onClose("removed");
  };

  const keyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (removing) setRemoving(false);
      else onClose("cancelled");
    }
  };

  const fromChat = (CHAT_SOURCES as readonly string[]).includes(entry.source);
  return (
    // Escape anywhere in the editor closes it (first the removal step, if open).
    <form
      className="tl-editor"
      data-testid="timeline-correction-editor"
      aria-label={`Correct the entry by ${entry.author} at ${clock.format(entry.at)}`}
      onSubmit={save}
      onKeyDown={keyDown}
    >
      {fromChat && (
        <p className="tl-note muted" data-testid="correct-chat-note">
          Mirrored from {entry.source}: this corrects hotdoc's copy. The message in the chat room is
          unchanged.
        </p>
      )}
      {entry.ref && (
        <p className="tl-note muted">
          This entry stands for a {RECORD_NAMES[entry.ref.collection]}; correcting it here does not
          change that record.
        </p>
      )}
      <div className="tl-editor-fields">
        <textarea
          ref={textRef}
          className="tl-editor-text"
          aria-label="Entry text"
          data-testid="correct-text"
          rows={2}
          value={text}
          maxLength={maxLengthOf(TimelineEntryInput.shape.text)}
          onChange={(e) => {
            setText(e.target.value);
            write.clear();
          }}
          onKeyDown={(e) => {
            // Enter saves, as in the quick-add; Shift+Enter starts a new line.
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              save();
            }
          }}
        />
        <TypedTimeInput
          value={time}
          onChange={(value) => {
            setTime(value);
            setTimeError(null);
          }}
          label="When it happened"
          testId="correct-time"
          error={timeError}
        />
        <label className="inline">
          <input
            type="checkbox"
            data-testid="correct-key"
            checked={pinned}
            onChange={(e) => setPinned(e.target.checked)}
          />{" "}
          key event
        </label>
      </div>
      <div className="tl-editor-actions">
        <button type="submit" className="primary" data-testid="correct-save">
          Save
        </button>
        <button type="button" data-testid="correct-cancel" onClick={() => onClose("cancelled")}>
          Cancel
        </button>
        {!removing && (
          <button
            type="button"
            className="tl-danger"
            data-testid="correct-remove"
            onClick={() => setRemoving(true)}
          >
            Remove text…
          </button>
        )}
      </div>
      {removing && (
        <div className="tl-remove" data-testid="correct-remove-panel">
          <p className="tl-note" data-testid="correct-remove-note">
            Removing blanks this entry's text for everyone, on the timeline, in exports and in
            history. Who removed it, when and why stay on the timeline.
          </p>
          {/* What the removal does not reach, said plainly: a record's own text and the chat. */}
          {entry.ref && (
            <p className="tl-note" data-testid="correct-remove-record-note">
              Not removed: the {RECORD_NAMES[entry.ref.collection]} this entry stands for keeps its
              own text, on the page, in exports and in history.
              {RECORD_PLACES[entry.ref.collection] &&
                ` Edit it ${RECORD_PLACES[entry.ref.collection]} to change what the page and exports show (history keeps its earlier text).`}
              {fromChat &&
                " The chat message that created it is a timeline entry of its own: remove that one too."}
            </p>
          )}
          {fromChat && (
            <p className="tl-note" data-testid="correct-remove-chat-note">
              The message in the chat room ({entry.source}) is unchanged: delete it there.
            </p>
          )}
          <div className="tl-editor-actions">
            <input
              ref={reasonRef}
              className="grow"
              aria-label="Reason for removing"
              data-testid="correct-reason"
              placeholder="Why? e.g. pasted a credential"
              value={reason}
              maxLength={maxLengthOf(TimelineRemovalInput.shape.reason)}
              onChange={(e) => {
                setReason(e.target.value);
                write.clear();
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  remove();
                }
              }}
            />
            <button
              type="button"
              className="tl-danger"
              data-testid="correct-remove-confirm"
              onClick={remove}
            >
              Remove for everyone
            </button>
          </div>
        </div>
      )}
      <InlineError error={write.error} labels={LABELS} testId="correct-error" />
    </form>
  );
}
