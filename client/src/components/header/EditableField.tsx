import { useInlineEdit } from "../../hooks/useInlineEdit.ts";
import { InlineError } from "../InlineError.tsx";

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
  const edit = useInlineEdit({
    value,
    onCommit,
    unchanged: (text) => normalize(text) === value,
  });

  return (
    <span className={`ih-field ${className ?? ""}`}>
      <input
        aria-label={label}
        title={label}
        data-testid={testId}
        value={edit.draft ?? value}
        placeholder={placeholder}
        maxLength={maxLength}
        list={list}
        aria-invalid={edit.error ? true : undefined}
        onFocus={edit.focus}
        onChange={(e) => edit.change(e.target.value)}
        onKeyDown={edit.keyDown}
        onBlur={() => edit.leave()}
      />
      <InlineError
        error={edit.error}
        labels={labels}
        testId={testId ? `${testId}-error` : undefined}
      />
    </span>
  );
}
