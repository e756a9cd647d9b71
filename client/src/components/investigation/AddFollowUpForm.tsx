import { type FormEvent, useState } from "react";
import type * as Y from "yjs";
import {
  type Actor,
  addFollowUp,
  FOLLOW_UP_KINDS,
  type FollowUp,
  FollowUpInput,
  maxLengthOf,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamPicker, useStreamChoice } from "../streams/StreamPicker.tsx";
import { FOLLOW_UP_KIND_LABELS } from "./FollowUpRow.tsx";

/** Adds a cleanup task or a postmortem action item, with its owner and, optionally, its ticket. */
export function AddFollowUpForm({ doc, actor }: { doc: Y.Doc; actor: Actor }) {
  const [text, setText] = useState("");
  const [owner, setOwner] = useState("");
  const [kind, setKind] = useState<FollowUp["kind"]>("cleanup");
  const [url, setUrl] = useState("");
  const { error, attempt } = useWriteAttempt();
  const stream = useStreamChoice();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    const added = attempt(() =>
      addFollowUp(doc, {
        author: actor.name,
        text,
        owner,
        kind,
        url: url.trim() ? url.trim() : undefined,
        streamId: stream.streamId,
      }),
    );
    if (added) {
      setText("");
      setOwner("");
      setUrl("");
      stream.reset();
    }
  };

  return (
    <form className="inv-form fu-form" data-testid="add-follow-up" onSubmit={submit}>
      <div className="inv-form-row fu-form-row">
        <input
          aria-label="New follow-up"
          data-testid="add-follow-up-text"
          className="fu-form-text"
          value={text}
          maxLength={maxLengthOf(FollowUpInput.shape.text)}
          placeholder="What needs doing afterwards?"
          onChange={(e) => setText(e.target.value)}
        />
        <input
          aria-label="Owner"
          data-testid="add-follow-up-owner"
          className="fu-form-owner"
          value={owner}
          maxLength={maxLengthOf(FollowUpInput.shape.owner)}
          placeholder="Owner"
          onChange={(e) => setOwner(e.target.value)}
        />
        <select
          aria-label="Kind"
          data-testid="add-follow-up-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as FollowUp["kind"])}
        >
          {FOLLOW_UP_KINDS.map((k) => (
            <option key={k} value={k}>
              {FOLLOW_UP_KIND_LABELS[k]}
            </option>
          ))}
        </select>
        <input
          type="url"
          aria-label="Ticket link (optional)"
          data-testid="add-follow-up-url"
          className="fu-form-url"
          value={url}
          maxLength={maxLengthOf(FollowUpInput.shape.url)}
          placeholder="https://… (optional)"
          onChange={(e) => setUrl(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="add-follow-up-submit"
          disabled={!text.trim()}
        >
          Add
        </button>
      </div>
      <StreamPicker value={stream.value} onChange={stream.set} testId="add-follow-up-stream" />
      <InlineError error={error} />
    </form>
  );
}
