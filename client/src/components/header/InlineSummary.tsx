import { type ClipboardEvent, type KeyboardEvent, useLayoutEffect, useRef, useState } from "react";
import { describeError } from "#shared/errors.ts";
import { InlineError } from "./InlineError.tsx";

/**
 * The summary as heading text that editors can edit in place (plain text only):
 * saved on blur or Enter, Escape restores it. The element keeps no React children,
 * so a remote change never fights with the caret; it is only rewritten while the
 * element is not focused.
 */
export function InlineSummary({
  value,
  onCommit,
  testId,
}: {
  value: string;
  /** Writes through a shared accessor; may throw. */
  onCommit: (text: string) => void;
  testId: string;
}) {
  const ref = useRef<HTMLSpanElement>(null);
  /** The summary when editing began: leaving without typing must not write it back over a newer one. */
  const start = useRef(value);
  const [error, setError] = useState<string | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && document.activeElement !== el) el.textContent = value;
  }, [value]);

  const restore = () => {
    if (ref.current) ref.current.textContent = value;
  };

  const commit = () => {
    const el = ref.current;
    if (!el) return;
    const text = (el.textContent ?? "").replace(/\s+/g, " ").trim();
    if (text === value || text === start.current) {
      restore();
      return;
    }
    try {
      onCommit(text);
      setError(null);
      el.textContent = text;
    } catch (e) {
      setError(describeError(e, { summary: "Summary" }));
      restore();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLSpanElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === "Enter") {
      event.preventDefault();
      event.currentTarget.blur();
    } else if (event.key === "Escape") {
      event.preventDefault();
      restore();
      event.currentTarget.blur();
    }
  };

  // Paste as plain text, on one line.
  const onPaste = (event: ClipboardEvent<HTMLSpanElement>) => {
    event.preventDefault();
    const text = event.clipboardData.getData("text/plain").replace(/\s+/g, " ");
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    range.deleteContents();
    range.insertNode(document.createTextNode(text));
    range.collapse(false);
  };

  return (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: a contentEditable span keeps the summary in the header's flow of text, which an <input> cannot */}
      <span
        ref={ref}
        className="ih-summary ih-summary-edit"
        data-testid={testId}
        contentEditable
        suppressContentEditableWarning
        tabIndex={0}
        role="textbox"
        aria-label="Summary — what's the emergency?"
        title="Click to edit the summary; Enter saves, Escape cancels"
        spellCheck
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        onFocus={() => {
          start.current = value;
          setError(null);
        }}
        onBlur={commit}
      />
      <InlineError message={error} testId={`${testId}-error`} />
    </>
  );
}
