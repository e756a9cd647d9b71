import { type FormEvent, forwardRef, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  QUICK_KIND_LABELS,
  QUICK_KINDS,
  type QuickKind,
  quickAdd,
} from "#shared/doc/index.ts";

/**
 * Adds a hand-written entry. An observation or theory becomes its record too;
 * chat, status, severity and role entries are recorded by what causes them.
 */
export const QuickAddForm = forwardRef<HTMLInputElement, { doc: Y.Doc; actor: Actor }>(
  function QuickAddForm({ doc, actor }, ref) {
    const [kind, setKind] = useState<QuickKind>("note");
    const [text, setText] = useState("");
    const [pinned, setPinned] = useState(false);
    const [error, setError] = useState<string | null>(null);

    const submit = (event: FormEvent) => {
      event.preventDefault();
      if (!text.trim()) return;
      try {
        quickAdd(doc, kind, text.trim(), actor, { pinned: pinned || undefined });
        setText("");
        setPinned(false);
        setError(null);
      } catch (failure) {
        setError(failure instanceof Error ? failure.message : String(failure));
      }
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
            maxLength={40_000}
            placeholder="What happened? (press / to come here)"
            onChange={(e) => setText(e.target.value)}
          />
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
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    );
  },
);
