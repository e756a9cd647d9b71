import { type FormEvent, forwardRef, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  maxLengthOf,
  ObservationInput,
  QUICK_KIND_LABELS,
  QUICK_KINDS,
  type QuickKind,
  quickAdd,
  type TextSchema,
  TheoryInput,
  TimelineEntryInput,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../hooks/useWriteAttempt.ts";
import { InlineError } from "./InlineError.tsx";
import { StreamPicker, useStreamChoice } from "./streams/StreamPicker.tsx";

/** What each kind's text is checked against: an observation or theory is its record's text. */
const QUICK_TEXT: Record<QuickKind, TextSchema> = {
  note: TimelineEntryInput.shape.text,
  observation: ObservationInput.shape.text,
  theory: TheoryInput.shape.text,
  decision: TimelineEntryInput.shape.text,
  alert: TimelineEntryInput.shape.text,
};

/**
 * Adds a hand-written entry. An observation or theory becomes its record too;
 * chat, status, severity and role entries are recorded by what causes them.
 */
export const QuickAddForm = forwardRef<HTMLInputElement, { doc: Y.Doc; actor: Actor }>(
  function QuickAddForm({ doc, actor }, ref) {
    const [kind, setKind] = useState<QuickKind>("note");
    const [text, setText] = useState("");
    const [pinned, setPinned] = useState(false);
    const write = useWriteAttempt();
    const stream = useStreamChoice();

    const submit = (event: FormEvent) => {
      event.preventDefault();
      if (!text.trim()) return;
      const added = write.attempt(() =>
        quickAdd(doc, kind, text.trim(), actor, {
          pinned: pinned || undefined,
          streamId: stream.streamId,
        }),
      );
      if (!added) return;
      setText("");
      setPinned(false);
      stream.reset();
    };

    return (
      <form className="quick-add" data-testid="quick-add" onSubmit={submit}>
        <div className="row">
          <select
            aria-label="Entry kind"
            data-testid="quick-add-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as QuickKind)}
          >
            {QUICK_KINDS.map((k) => (
              <option key={k} value={k}>
                {QUICK_KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <input
            ref={ref}
            aria-label="Entry text"
            data-testid="quick-add-text"
            className="grow"
            value={text}
            maxLength={maxLengthOf(QUICK_TEXT[kind])}
            placeholder="What happened? (press / to come here)"
            onChange={(e) => setText(e.target.value)}
          />
          <StreamPicker value={stream.value} onChange={stream.set} testId="quick-add-stream" />
          <label className="inline" title="Mark as a key event">
            <input
              type="checkbox"
              data-testid="quick-add-pinned"
              checked={pinned}
              onChange={(e) => setPinned(e.target.checked)}
            />{" "}
            key
          </label>
          <button
            type="submit"
            className="primary"
            data-testid="quick-add-submit"
            disabled={!text.trim()}
          >
            Add
          </button>
        </div>
        <InlineError error={write.error} labels={{ text: "Text" }} testId="quick-add-error" />
      </form>
    );
  },
);
