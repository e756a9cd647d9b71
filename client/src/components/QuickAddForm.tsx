import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import { type Actor, appendTimelineEntry, type TimelineKind } from "../../../shared/doc/index.ts";

/** Kinds a person adds by hand; chat, status, severity and role entries are recorded automatically. */
const QUICK_KINDS = [
  "note",
  "observation",
  "theory",
  "experiment",
  "decision",
  "change",
  "comms",
  "alert",
  "followup",
] as const satisfies readonly TimelineKind[];

export function QuickAddForm({ doc, actor }: { doc: Y.Doc; actor: Actor }) {
  const [kind, setKind] = useState<TimelineKind>("note");
  const [text, setText] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    appendTimelineEntry(doc, { author: actor.name, source: "editor", kind, text: text.trim() });
    setText("");
  };

  return (
    <form className="quick-add row" data-testid="quick-add" onSubmit={submit}>
      <select aria-label="Entry kind" data-testid="quick-add-kind" value={kind} onChange={(e) => setKind(e.target.value as TimelineKind)}>
        {QUICK_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <input
        aria-label="Entry text"
        data-testid="quick-add-text"
        className="grow"
        value={text}
        maxLength={40_000}
        placeholder="What happened?"
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="primary" data-testid="quick-add-submit" disabled={!text.trim()}>
        Add
      </button>
    </form>
  );
}
