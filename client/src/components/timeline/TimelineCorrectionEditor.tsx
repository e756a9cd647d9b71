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
};

const LABELS = { text: "Text", at: "Time", reason: "Reason" };

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
  onClose: () => void;
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
    if (saved) onClose();
  };

  const remove = () => {
    if (write.attempt(() => removeTimelineEntry(doc, entry.id, { reason }, actor))) onClose();
  };

  const keyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (removing) setRemoving(false);
      else onClose();
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
        <button type="button" data-testid="correct-cancel" onClick={onClose}>
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
          <p className="tl-note">
            Removing blanks this entry's text for everyone, also in exports and in history. Who
            removed it, when and why stay on the timeline.
          </p>
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
