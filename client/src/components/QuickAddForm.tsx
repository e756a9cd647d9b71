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
import { useClock } from "../clock.ts";
import { useWriteAttempt } from "../hooks/useWriteAttempt.ts";
import { InlineError } from "./InlineError.tsx";
import { QUICK_ADD_ID } from "./SkipLink.tsx";
import { StreamPicker, useStreamChoice } from "./streams/StreamPicker.tsx";
import { TypedTimeInput } from "./timeline/TypedTimeInput.tsx";

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
 * chat, status, severity and role entries are recorded by what causes them. The
 * "when" field (blank: now) takes the time it happened, typed as responders think
 * of it ("14:05", "10 min ago"), so an entry written late carries its real time.
 */
export const QuickAddForm = forwardRef<HTMLInputElement, { doc: Y.Doc; actor: Actor }>(
  function QuickAddForm({ doc, actor }, ref) {
    const [kind, setKind] = useState<QuickKind>("note");
    const [text, setText] = useState("");
    const [pinned, setPinned] = useState(false);
    const [when, setWhen] = useState("");
    const [whenError, setWhenError] = useState<string | null>(null);
    const write = useWriteAttempt();
    const stream = useStreamChoice();
    const clock = useClock();

    const submit = (event: FormEvent) => {
      event.preventDefault();
      if (!text.trim()) return;
      // Read at the moment of adding, so "10 min ago" counts from now; a bad time writes nothing.
      const parsed = when.trim() ? clock.parse(when, "past") : null;
      if (parsed && !parsed.ok) {
        setWhenError(parsed.message);
        return;
      }
      setWhenError(null);
      const added = write.attempt(() =>
        quickAdd(doc, kind, text.trim(), actor, {
          pinned: pinned || undefined,
          streamId: stream.streamId,
          at: parsed?.at.toISOString(),
        }),
      );
      if (!added) return;
      setText("");
      setPinned(false);
      setWhen("");
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
            id={QUICK_ADD_ID}
            aria-label="Entry text"
            data-testid="quick-add-text"
            className="grow"
            value={text}
            maxLength={maxLengthOf(QUICK_TEXT[kind])}
            placeholder="What happened? (press / to come here)"
            onChange={(e) => setText(e.target.value)}
          />
          <TypedTimeInput
            value={when}
            onChange={(value) => {
              setWhen(value);
              setWhenError(null);
            }}
            label="When it happened (blank for now)"
            placeholder="when? now"
            testId="quick-add-at"
            error={whenError}
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
