import { useEffect, useState } from "react";
import type * as Y from "yjs";
import {
  deleteRecord,
  editRecord,
  type FollowUp,
  FollowUpRecord,
  maxLengthOf,
  setFollowUpDone,
} from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamTag } from "../streams/StreamTag.tsx";
import { EditableText } from "./EditableText.tsx";

export const FOLLOW_UP_KIND_LABELS: Record<FollowUp["kind"], string> = {
  cleanup: "cleanup",
  action_item: "action item",
};

/**
 * One follow-up: done box, what, kind, owner (editable in place, saved when the
 * field loses focus), its tracker link, and removal for one entered by mistake.
 */
export function FollowUpRow({
  followUp,
  doc,
  readOnly,
}: {
  followUp: FollowUp;
  doc: Y.Doc;
  readOnly: boolean;
}) {
  const { error, attempt } = useWriteAttempt();
  // The owner being typed; null while the field shows the stored owner (and follows remote edits).
  const [owner, setOwner] = useState<string | null>(null);
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  // An owner just written here, shown until the document is re-read (once per frame).
  const [written, setWritten] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: forget the local copy whenever the stored owner changes
  useEffect(() => setWritten(null), [followUp.owner]);
  const storedOwner = written ?? followUp.owner;

  const saveOwner = () => {
    if (owner === null) return;
    const next = owner.trim();
    if (
      next !== storedOwner &&
      !attempt(() => editRecord(doc, "followUps", followUp.id, { owner: next }))
    )
      return;
    if (next !== storedOwner) setWritten(next);
    setOwner(null);
  };

  return (
    <li
      className={`fu-row${followUp.done ? " fu-done" : ""}`}
      data-testid="follow-up-row"
      data-id={followUp.id}
      data-done={followUp.done}
      data-kind={followUp.kind}
    >
      {readOnly ? (
        <span
          className="fu-mark"
          role="img"
          aria-label={followUp.done ? "done" : "open"}
          data-testid="follow-up-done"
        >
          {followUp.done ? "✓" : "○"}
        </span>
      ) : (
        <input
          type="checkbox"
          className="fu-mark"
          aria-label="Done"
          data-testid="follow-up-done"
          checked={followUp.done}
          onChange={(e) => {
            const done = e.target.checked;
            attempt(() => setFollowUpDone(doc, followUp.id, done));
          }}
        />
      )}
      <div className="fu-main">
        <EditableText
          text={followUp.text}
          label="follow-up"
          readOnly={readOnly}
          maxLength={maxLengthOf(FollowUpRecord.shape.text)}
          testId="follow-up-text"
          onSave={(text) => editRecord(doc, "followUps", followUp.id, { text })}
        />
        <StreamTag
          collection="followUps"
          id={followUp.id}
          streamId={followUp.streamId}
          doc={doc}
          readOnly={readOnly}
        />
        <InlineError error={error} />
      </div>
      <span className={`badge kind fu-kind fu-kind-${followUp.kind}`} data-testid="follow-up-kind">
        {FOLLOW_UP_KIND_LABELS[followUp.kind]}
      </span>
      {readOnly ? (
        <span
          className={`fu-owner${followUp.owner ? "" : " fu-unowned"}`}
          title={followUp.owner || undefined}
          data-testid="follow-up-owner"
        >
          {followUp.owner || "no owner"}
        </span>
      ) : (
        <input
          className="fu-owner fu-owner-input"
          aria-label="Owner"
          data-testid="follow-up-owner"
          placeholder="no owner"
          maxLength={maxLengthOf(FollowUpRecord.shape.owner)}
          value={owner ?? storedOwner}
          onChange={(e) => setOwner(e.target.value)}
          onBlur={saveOwner}
          onKeyDown={(e) => {
            if (e.key === "Enter") e.currentTarget.blur();
          }}
        />
      )}
      <span className="fu-link">
        {followUp.url && (
          <a
            href={followUp.url}
            target="_blank"
            rel="noopener noreferrer"
            title={followUp.url}
            data-testid="follow-up-url"
          >
            link ↗
          </a>
        )}
      </span>
      {!readOnly &&
        (confirmingRemoval ? (
          <span className="fu-remove">
            <button
              type="button"
              className="link fu-remove-confirm"
              data-testid="follow-up-remove-confirm"
              onClick={() => {
                if (!attempt(() => deleteRecord(doc, "followUps", followUp.id)))
                  setConfirmingRemoval(false);
              }}
            >
              remove
            </button>
            <button type="button" className="link" onClick={() => setConfirmingRemoval(false)}>
              keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="link fu-remove"
            aria-label="Remove this follow-up (entered by mistake)"
            title="Remove (entered by mistake)"
            data-testid="follow-up-remove"
            onClick={() => setConfirmingRemoval(true)}
          >
            ×
          </button>
        ))}
    </li>
  );
}
