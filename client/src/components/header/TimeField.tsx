import { useEffect, useRef } from "react";
import { useInlineEdit } from "../../hooks/useInlineEdit.ts";
import { InlineError } from "../InlineError.tsx";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An ISO instant as a `datetime-local` value in the browser's time zone ("" when missing). */
function isoToLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

function localDate(local: string): Date | null {
  const m = /^(\d{4,6})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(local);
  if (!m) return null;
  const date = new Date(2000, 0, 1, 0, 0, 0, 0);
  date.setFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setHours(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), 0);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A `datetime-local` value as an ISO instant carrying the browser's offset at that
 * moment (DST-aware), e.g. "2025-03-30T14:05:00+02:00"; null when empty or malformed.
 */
function localInputToIso(local: string): string | null {
  const date = localDate(local);
  if (!date) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function sameInstant(local: string, iso: string | null): boolean {
  if (!local) return !iso;
  const date = localDate(local);
  if (!date || !iso) return false;
  return Math.floor(date.getTime() / 1000) === Math.floor(Date.parse(iso) / 1000);
}

const AUTOSAVE_MS = 1200;

/**
 * A time of the incident as a `datetime-local` input in the browser's time zone.
 * Saved on blur or Enter, and after a short pause once a complete time is entered;
 * a half-typed time is never saved, and clearing needs the Clear button or an
 * emptied field on blur.
 */
export function TimeField({
  value,
  onCommit,
  label,
  testId,
}: {
  value: string | null;
  /** Writes through a shared accessor (ISO with offset, or null); may throw. */
  onCommit: (iso: string | null) => void;
  label: string;
  testId: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  // The draft is the input's local time; the document holds an ISO instant.
  const edit = useInlineEdit({
    value: isoToLocalInput(value),
    // A half-typed time reads as "" with bad input: keep what the document has.
    unchanged: (local) =>
      (local === "" && Boolean(input.current?.validity.badInput)) || sameInstant(local, value),
    onCommit: (local) => {
      const iso = local === "" ? null : localInputToIso(local);
      if (local !== "" && iso === null) throw new Error(`${label}: not a valid date and time`);
      onCommit(iso);
    },
  });
  const labels = { startedAt: label, detectedAt: label, endedAt: label };

  const shown = edit.draft ?? isoToLocalInput(value);

  return (
    <span className="ih-field ih-time-field">
      <span className="ih-time-controls">
        <input
          ref={input}
          type="datetime-local"
          step={1}
          aria-label={label}
          data-testid={testId}
          value={shown}
          data-empty={shown === "" ? true : undefined}
          aria-invalid={edit.error ? true : undefined}
          onFocus={edit.focus}
          onChange={(e) => {
            const local = e.currentTarget.value;
            edit.setDraft(local);
            clearTimeout(timer.current);
            if (local !== "") timer.current = setTimeout(() => edit.commit(), AUTOSAVE_MS);
          }}
          onKeyDown={edit.keyDown}
          onBlur={() => {
            clearTimeout(timer.current);
            edit.leave();
          }}
        />
        <button
          type="button"
          className="link ih-mini"
          data-testid={`${testId}-now`}
          title={`Set ${label.toLowerCase()} to now`}
          onClick={() => {
            clearTimeout(timer.current);
            edit.setDraft(null);
            edit.attempt(() => onCommit(new Date().toISOString()));
          }}
        >
          now
        </button>
        {value && (
          <button
            type="button"
            className="link ih-mini"
            data-testid={`${testId}-clear`}
            title={`Clear ${label.toLowerCase()} (unknown)`}
            onClick={() => {
              clearTimeout(timer.current);
              edit.setDraft(null);
              edit.attempt(() => onCommit(null));
            }}
          >
            clear
          </button>
        )}
      </span>
      <InlineError error={edit.error} labels={labels} testId={`${testId}-error`} />
    </span>
  );
}
