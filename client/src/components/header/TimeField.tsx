import { useEffect, useId, useRef } from "react";
import { useClock } from "../../clock.ts";
import { useInlineEdit } from "../../hooks/useInlineEdit.ts";
import { InlineError } from "../InlineError.tsx";

const AUTOSAVE_MS = 1200;

/**
 * Whether the text ends in an offset still being typed: a bare sign, a sign with one
 * hour digit, or hours with a partial minute part ("+", "+0", "+02:", "+02:0", "+023").
 * The parser reads some of these ("+0" is UTC, "+023" is +00:23), but on the way to
 * "+02:00" they are not what the person means, so the pause never saves them; Enter and
 * leaving the field still save whatever reads as a time.
 */
function endsInPartialOffset(text: string): boolean {
  const tail = /[+-][\d:]*$/.exec(text.trimEnd());
  return tail !== null && !/^[+-](\d{2}|\d{2}:?\d{2})$/.test(tail[0]);
}

/** Two instants in the same second (what a typed time can say). */
function sameSecond(a: Date, iso: string): boolean {
  return Math.floor(a.getTime() / 1000) === Math.floor(Date.parse(iso) / 1000);
}

/**
 * A time of the incident as one text field, written and read in the page's clock
 * (24-hour, the reader's zone or UTC): it shows "2026-11-21 14:05" and takes whatever
 * `useClock().parse` reads ("14:05", "14:05 UTC", "10 min ago", "yesterday 23:50"…).
 * Saved on blur or Enter, and after a short pause once the text reads as a time and does
 * not end in a half-typed offset; an unreadable time is never saved, and what is wrong with it is shown
 * under the field and tied to it. Emptying the field and leaving it, or the one button
 * next to it, clears it (unknown); on an empty field that button sets it to now.
 */
export function TimeField({
  value,
  onCommit,
  label,
  testId,
  hintId,
}: {
  value: string | null;
  /** Writes through a shared accessor (ISO instant, or null); may throw. */
  onCommit: (iso: string | null) => void;
  label: string;
  testId: string;
  /** The id of a line saying what may be typed, read out with the field. */
  hintId?: string;
}) {
  const clock = useClock();
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const saved = useRef<string | null>(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const errorId = useId();

  // The draft is the typed text; the document holds an ISO instant.
  const edit = useInlineEdit({
    value: clock.forInput(value),
    unchanged: (text) => {
      if (text.trim() === "") return value === null;
      const parsed = clock.parse(text, "past");
      return parsed.ok && value !== null && sameSecond(parsed.at, value);
    },
    onCommit: (text) => {
      if (text.trim() === "") {
        onCommit(null);
        saved.current = null;
        return;
      }
      const parsed = clock.parse(text, "past");
      if (!parsed.ok) throw new Error(parsed.message);
      const iso = parsed.at.toISOString();
      onCommit(iso);
      saved.current = iso;
    },
    // An unreadable time stays in the field, next to what is wrong with it, to be fixed.
    keepDraftOnError: true,
  });
  const labels = { startedAt: label, detectedAt: label, endedAt: label };
  const shown = edit.draft ?? clock.forInput(value);

  /** Saves the draft while the field keeps focus, then shows what was understood. */
  const autosave = () => {
    if (edit.commit() !== "saved") return;
    // "10 min ago" would mean another instant a minute later: show the time it was read as.
    edit.setDraft(clock.forInput(saved.current));
  };

  const setTo = (iso: string | null) => {
    clearTimeout(timer.current);
    edit.setDraft(null);
    edit.attempt(() => onCommit(iso));
    // The button changes (now ↔ clear): keep the keyboard in the field it acted on.
    input.current?.focus();
  };

  const describedBy = [edit.error ? errorId : null, hintId].filter(Boolean).join(" ");

  return (
    <span className="ih-field ih-time-field">
      <span className="ih-time-controls">
        <input
          ref={input}
          type="text"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          aria-label={label}
          aria-describedby={describedBy || undefined}
          aria-invalid={edit.error ? true : undefined}
          placeholder="unknown"
          data-testid={testId}
          value={shown}
          data-empty={shown === "" ? true : undefined}
          onFocus={edit.focus}
          onChange={(e) => {
            const text = e.currentTarget.value;
            edit.change(text);
            clearTimeout(timer.current);
            if (text.trim() !== "" && !endsInPartialOffset(text) && clock.parse(text, "past").ok)
              timer.current = setTimeout(autosave, AUTOSAVE_MS);
          }}
          onKeyDown={edit.keyDown}
          onBlur={() => {
            clearTimeout(timer.current);
            edit.leave();
          }}
        />
        {value ? (
          <button
            type="button"
            className="link ih-mini"
            data-testid={`${testId}-clear`}
            // Out of the Tab order: typing "now" or emptying the field does the same from the
            // keyboard (the hint under the panel says so), and the panel stays a few stops.
            tabIndex={-1}
            aria-label={`Clear ${label.toLowerCase()} (unknown)`}
            onClick={() => setTo(null)}
          >
            clear
          </button>
        ) : (
          <button
            type="button"
            className="link ih-mini"
            data-testid={`${testId}-now`}
            // Out of the Tab order: typing "now" or emptying the field does the same from the
            // keyboard (the hint under the panel says so), and the panel stays a few stops.
            tabIndex={-1}
            aria-label={`Set ${label.toLowerCase()} to now`}
            onClick={() => setTo(new Date(Math.floor(Date.now() / 1000) * 1000).toISOString())}
          >
            now
          </button>
        )}
      </span>
      <span id={errorId}>
        <InlineError error={edit.error} labels={labels} testId={`${testId}-error`} />
      </span>
    </span>
  );
}
