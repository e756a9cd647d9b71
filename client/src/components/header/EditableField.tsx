import { type KeyboardEvent, useRef, useState } from "react";
import { describeError } from "#shared/errors.ts";
import { InlineError } from "./InlineError.tsx";

/**
 * A one-line text input over a document value. While someone types, their draft is
 * kept locally (remote edits do not yank the text away); it is saved on blur or
 * Enter, Escape drops it. A refused save shows the accessor's message and restores
 * the document's value.
 */
export function EditableField({
  value,
  onCommit,
  label,
  testId,
  placeholder,
  normalize = (text) => text.trim(),
  labels,
  className,
  maxLength,
  list,
}: {
  value: string;
  /** Writes through a shared accessor; may throw. */
  onCommit: (text: string) => void;
  label: string;
  testId?: string;
  placeholder?: string;
  /** The draft as the document would store it, to skip saves that change nothing. */
  normalize?: (text: string) => string;
  labels?: Record<string, string>;
  className?: string;
  maxLength?: number;
  list?: string;
}) {
  const [draft, setDraftState] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const draftRef = useRef<string | null>(null);
  const focused = useRef(false);
  const cancelled = useRef(false);

  const setDraft = (next: string | null) => {
    draftRef.current = next;
    setDraftState(next);
  };

  const commit = () => {
    const text = draftRef.current;
    if (text === null) return;
    if (normalize(text) === value) {
      setDraft(null);
      return;
    }
    try {
      onCommit(text);
      setError(null);
      // The document re-reads on the next frame; keep the draft on screen until then.
      requestAnimationFrame(() => {
        if (!focused.current) setDraft(null);
      });
    } catch (e) {
      setError(describeError(e, labels));
      setDraft(null);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === "Enter") {
      event.preventDefault();
      event.currentTarget.blur();
    } else if (event.key === "Escape") {
      cancelled.current = true;
      event.currentTarget.blur();
    }
  };

  return (
    <span className={`ih-field ${className ?? ""}`}>
      <input
        aria-label={label}
        title={label}
        data-testid={testId}
        value={draft ?? value}
        placeholder={placeholder}
        maxLength={maxLength}
        list={list}
        aria-invalid={error ? true : undefined}
        onFocus={() => {
          focused.current = true;
        }}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          focused.current = false;
          if (cancelled.current) {
            cancelled.current = false;
            setDraft(null);
            return;
          }
          commit();
        }}
      />
      <InlineError message={error} testId={testId ? `${testId}-error` : undefined} />
    </span>
  );
}
