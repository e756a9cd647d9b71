import { type KeyboardEvent, useCallback, useRef, useState } from "react";
import { useWriteAttempt } from "./useWriteAttempt.ts";

/** How an attempt to save a draft ended. */
type CommitOutcome = "saved" | "unchanged" | "refused" | "cancelled" | "idle";

interface InlineEditOptions {
  /** The document's value, shown whenever there is no draft. */
  value: string;
  /** Writes through a shared accessor; may throw, and then writes nothing. */
  onCommit: (text: string) => void;
  /** True when saving `draft` would change nothing (default: it equals `value`). */
  unchanged?: (draft: string) => boolean;
  /** After a refused save, keep the draft to fix it (a multi-line editor) instead of showing the document's value again. */
  keepDraftOnError?: boolean;
}

/**
 * Editing one document value in place: while someone types, their draft is kept
 * locally (a remote edit does not yank the text away); committing writes it through
 * the accessor, and what the write threw is kept for `InlineError`. For a one-line
 * field, `focus`, `keyDown` and `leave` give the usual keys: Enter saves and Escape
 * cancels, both by leaving the field, and leaving it otherwise saves.
 */
export function useInlineEdit(options: InlineEditOptions) {
  const [draft, setDraftState] = useState<string | null>(null);
  const { error, attempt, clear: clearError } = useWriteAttempt();
  const draftRef = useRef<string | null>(null);
  const focused = useRef(false);
  const cancelled = useRef(false);
  // A commit may run from a timer (an autosave) set up by an earlier render: it reads
  // the newest options, never those of the render that scheduled it.
  const latest = useRef(options);
  latest.current = options;

  const setDraft = useCallback((next: string | null) => {
    draftRef.current = next;
    setDraftState(next);
  }, []);

  /** The person typed: the draft follows and the last error goes. */
  const change = (next: string) => {
    setDraft(next);
    clearError();
  };

  /** Drops the draft and the error. */
  const cancel = () => {
    setDraft(null);
    clearError();
  };

  /** Saves `text` (the draft unless given, e.g. read from a contentEditable element). */
  const commit = (text: string | null = draftRef.current): CommitOutcome => {
    if (text === null) return "idle";
    const { value, onCommit, unchanged = (d: string) => d === value } = latest.current;
    if (unchanged(text)) {
      if (!focused.current) setDraft(null);
      clearError();
      return "unchanged";
    }
    if (!attempt(() => onCommit(text))) {
      if (!latest.current.keepDraftOnError) setDraft(null);
      return "refused";
    }
    // The document re-reads on the next frame; keep the draft on screen until then.
    requestAnimationFrame(() => {
      if (!focused.current) setDraft(null);
    });
    return "saved";
  };

  const focus = () => {
    focused.current = true;
  };

  const keyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === "Enter") {
      event.preventDefault();
      event.currentTarget.blur();
    } else if (event.key === "Escape") {
      event.preventDefault();
      cancelled.current = true;
      event.currentTarget.blur();
    }
  };

  /** The field lost focus: after Escape the draft is dropped, otherwise it is saved. */
  const leave = (text?: string): CommitOutcome => {
    focused.current = false;
    if (cancelled.current) {
      cancelled.current = false;
      cancel();
      return "cancelled";
    }
    return commit(text);
  };

  return {
    draft,
    error,
    setDraft,
    change,
    cancel,
    commit,
    attempt,
    clearError,
    focus,
    keyDown,
    leave,
  };
}
