import { type ClipboardEvent, useLayoutEffect, useRef } from "react";
import { useInlineEdit } from "../../hooks/useInlineEdit.ts";
import { InlineError } from "../InlineError.tsx";

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
  // The element itself holds the draft: it is read when editing ends.
  const edit = useInlineEdit({
    value,
    onCommit,
    unchanged: (text) => text === value || text === start.current,
  });

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && document.activeElement !== el) el.textContent = value;
  }, [value]);

  const leave = () => {
    const el = ref.current;
    if (!el) return;
    const text = (el.textContent ?? "").replace(/\s+/g, " ").trim();
    // Saved: show it as stored; cancelled, unchanged or refused: show the document's.
    el.textContent = edit.leave(text) === "saved" ? text : value;
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
        onKeyDown={edit.keyDown}
        onPaste={onPaste}
        onFocus={() => {
          start.current = value;
          edit.focus();
          edit.clearError();
        }}
        onBlur={leave}
      />
      <InlineError error={edit.error} labels={{ summary: "Summary" }} testId={`${testId}-error`} />
    </>
  );
}
