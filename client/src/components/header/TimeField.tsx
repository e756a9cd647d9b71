import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { describeError } from "#shared/errors.ts";
import { InlineError } from "./InlineError.tsx";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An ISO instant as a `datetime-local` value in the browser's time zone ("" when missing). */
export function isoToLocalInput(iso: string | null): string {
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
export function localInputToIso(local: string): string | null {
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
  const [draft, setDraftState] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const draftRef = useRef<string | null>(null);
  const focused = useRef(false);
  const cancelled = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const valueRef = useRef(value);
  valueRef.current = value;

  useEffect(() => () => clearTimeout(timer.current), []);

  const setDraft = (next: string | null) => {
    draftRef.current = next;
    setDraftState(next);
  };

  const save = (iso: string | null) => {
    try {
      onCommit(iso);
      setError(null);
      return true;
    } catch (e) {
      setError(describeError(e, { startedAt: label, detectedAt: label, endedAt: label }));
      return false;
    }
  };

  const commitDraft = (input: HTMLInputElement | null) => {
    clearTimeout(timer.current);
    const local = draftRef.current;
    if (local === null) return;
    if (local === "" && input?.validity.badInput) {
      // Half-typed: keep what the document has.
      setDraft(null);
      return;
    }
    if (sameInstant(local, valueRef.current)) {
      if (!focused.current) setDraft(null);
      return;
    }
    const iso = local === "" ? null : localInputToIso(local);
    if (local !== "" && iso === null) {
      setError(`${label}: not a valid date and time`);
      setDraft(null);
      return;
    }
    const ok = save(iso);
    if (!ok) setDraft(null);
    else
      requestAnimationFrame(() => {
        if (!focused.current) setDraft(null);
      });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      event.currentTarget.blur();
    } else if (event.key === "Escape") {
      cancelled.current = true;
      event.currentTarget.blur();
    }
  };

  const shown = draft ?? isoToLocalInput(value);

  return (
    <span className="ih-field ih-time-field">
      <span className="ih-time-controls">
        <input
          type="datetime-local"
          step={1}
          aria-label={label}
          data-testid={testId}
          value={shown}
          data-empty={shown === "" ? true : undefined}
          aria-invalid={error ? true : undefined}
          onFocus={() => {
            focused.current = true;
          }}
          onChange={(e) => {
            const input = e.currentTarget;
            setDraft(input.value);
            clearTimeout(timer.current);
            if (input.value !== "")
              timer.current = setTimeout(() => commitDraft(input), AUTOSAVE_MS);
          }}
          onKeyDown={onKeyDown}
          onBlur={(e) => {
            focused.current = false;
            if (cancelled.current) {
              cancelled.current = false;
              clearTimeout(timer.current);
              setDraft(null);
              return;
            }
            commitDraft(e.currentTarget);
          }}
        />
        <button
          type="button"
          className="link ih-mini"
          data-testid={`${testId}-now`}
          title={`Set ${label.toLowerCase()} to now`}
          onClick={() => {
            clearTimeout(timer.current);
            setDraft(null);
            save(new Date().toISOString());
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
              setDraft(null);
              save(null);
            }}
          >
            clear
          </button>
        )}
      </span>
      <InlineError message={error} testId={`${testId}-error`} />
    </span>
  );
}
