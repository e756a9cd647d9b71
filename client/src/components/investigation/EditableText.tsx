import type { KeyboardEvent } from "react";
import { useInlineEdit } from "../../hooks/useInlineEdit.ts";
import { InlineError } from "../InlineError.tsx";

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
  maxLength,
}: {
  text: string;
  label: string;
  readOnly: boolean;
  onSave: (next: string) => void;
  testId?: string;
  /** The record schema's limit for this text (`maxLengthOf`). */
  maxLength: number;
}) {
  const edit = useInlineEdit({ value: text, onCommit: onSave, keepDraftOnError: true });
  const draft = edit.draft;

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
            onClick={() => edit.setDraft(text)}
          >
            edit
          </button>
        )}
      </div>
    );
  }

  const save = () => edit.commit(draft.trim());
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Escape") edit.cancel();
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
        onChange={(e) => edit.setDraft(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="inv-actions">
        <button type="button" className="primary" onClick={save} disabled={!draft.trim()}>
          Save
        </button>
        <button type="button" onClick={edit.cancel}>
          Cancel
        </button>
      </div>
      <InlineError error={edit.error} />
    </div>
  );
}
