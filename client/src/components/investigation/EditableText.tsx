import { type KeyboardEvent, useState } from "react";
import { InlineError, useWriteAttempt } from "./InlineError.tsx";

/**
 * A record's text, with an "edit" affordance for responders (typos happen at 3 a.m.).
 * Read-only viewers get the text alone. Ctrl/Cmd+Enter saves, Escape cancels.
 */
export function EditableText({
  text,
  label,
  readOnly,
  onSave,
  testId,
  maxLength = 8000,
}: {
  text: string;
  label: string;
  readOnly: boolean;
  onSave: (next: string) => void;
  testId?: string;
  maxLength?: number;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const { error, attempt, clear } = useWriteAttempt();

  if (readOnly || draft === null) {
    return (
      <div className="inv-text-row">
        <p className="inv-text" data-testid={testId}>
          {text}
        </p>
        {!readOnly && (
          <button
            type="button"
            className="link inv-edit"
            aria-label={`Edit ${label}`}
            onClick={() => setDraft(text)}
          >
            edit
          </button>
        )}
      </div>
    );
  }

  const cancel = () => {
    setDraft(null);
    clear();
  };
  const save = () => {
    const next = draft.trim();
    if (next === text || attempt(() => onSave(next))) cancel();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Escape") cancel();
    else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) save();
  };

  return (
    <div className="inv-edit-box">
      <textarea
        aria-label={label}
        value={draft}
        rows={3}
        maxLength={maxLength}
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="inv-actions">
        <button type="button" className="primary" onClick={save} disabled={!draft.trim()}>
          Save
        </button>
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      </div>
      <InlineError error={error} />
    </div>
  );
}
