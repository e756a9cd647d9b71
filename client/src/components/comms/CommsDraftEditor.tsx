import { useState } from "react";
import type * as Y from "yjs";
import { commsChecklist } from "#shared/comms/drafts.ts";
import { updateText } from "#shared/comms/updateText.ts";
import {
  type Actor,
  addComms,
  editRecord,
  type IncidentDocument,
  markCommsSent,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { CommsChecklist } from "./CommsChecklist.tsx";
import { CommsPreview } from "./CommsPreview.tsx";
import {
  BULLET_RANGE,
  countSentences,
  DEFAULT_CHANNEL,
  type DraftState,
  draftFor,
  draftSignature,
  MAX,
  SENTENCE_LIMIT,
  seedDraft,
  toFields,
} from "./commsText.ts";
import { PublishControls } from "./PublishControls.tsx";

const COPY = {
  internal: {
    heading: "Internal update",
    hint: "Internal Statuspage and email to the incident list. Always carries the key.",
  },
  external: {
    heading: "External update",
    hint: "Customers: 1–2 plain sentences, no technical detail.",
  },
} as const;

/**
 * One update being written. The text lives in the parent's state (so a saved
 * draft can be opened here from the log); the document is only written on
 * "Save draft" and "Mark as sent", through the shared accessors.
 */
export function CommsDraftEditor({
  incident,
  doc,
  actor,
  value,
  onChange,
  channelSuggestions,
}: {
  incident: IncidentDocument;
  doc: Y.Doc;
  actor: Actor;
  value: DraftState;
  onChange: (next: DraftState) => void;
  channelSuggestions: string[];
}) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const audience = value.audience;
  const fields = toFields(value);
  const checklist = commsChecklist(incident, fields.nextUpdate);
  const stale = draftSignature(draftFor(incident, audience, value.nextUpdate)) !== value.seededFrom;
  // Someone may have sent or removed the saved draft meanwhile: then the next save starts a new one.
  const editing = value.editingId
    ? incident.comms.find((c) => c.id === value.editingId && c.state === "draft")
    : undefined;
  const testId = `comms-draft-${audience}`;
  const field = (name: string) => `comms-${audience}-${name}`;

  const set = (patch: Partial<DraftState>) => {
    setError(null);
    onChange({ ...value, ...patch });
  };

  const refresh = () => {
    setError(null);
    setNotice(null);
    onChange(
      seedDraft(incident, audience, { nextUpdate: value.nextUpdate, channel: value.channel }),
    );
  };

  /** Writes the editor's text to the document; returns the id of the draft, or null when it threw. */
  const write = (state: "draft" | "sent"): string | null => {
    try {
      if (editing) {
        editRecord(doc, "comms", editing.id, { ...fields });
        if (state === "sent") markCommsSent(doc, editing.id, actor, fields.channel || undefined);
        return editing.id;
      }
      return addComms(doc, { author: actor.name, audience, state, ...fields });
    } catch (reason) {
      setNotice(null);
      setError(describeError(reason));
      return null;
    }
  };

  const save = () => {
    const id = write("draft");
    if (!id) return;
    onChange({ ...value, editingId: id });
    setNotice(
      `Draft saved at ${formatTime(new Date().toISOString())}; anyone on the incident can open it from the log.`,
    );
  };

  // A double click must not send the update twice: the first click disables the button
  // until the draft changes again.
  const [sentText, setSentText] = useState<string | null>(null);
  const draftKey = JSON.stringify({ ...value, editingId: null });
  const send = () => {
    if (sentText === draftKey) return;
    const id = write("sent");
    if (!id) return;
    setSentText(draftKey);
    onChange({ ...value, editingId: null });
    setNotice(`Marked as sent at ${formatTime(new Date().toISOString())}; logged on the timeline.`);
  };

  const range = BULLET_RANGE[audience];
  const bulletHint = (count: number) => {
    if (audience === "external")
      return count === 0
        ? { text: "optional", warn: false }
        : { text: `${count}: usually none for customers`, warn: true };
    return {
      text: `${count} of ${range.min}–${range.max}`,
      warn: count < range.min || count > range.max,
    };
  };
  const sentences = countSentences(fields.summary);
  const statusHint = bulletHint(fields.currentStatus.length);
  const nextHint = bulletHint(fields.nextSteps.length);
  const canSend = fields.title.length > 0 && fields.summary.length > 0;

  return (
    <div
      className={`comms-draft comms-draft-${audience}`}
      id={testId}
      data-testid={testId}
      data-editing={editing?.id}
    >
      <div className="comms-draft-head">
        <h3>{COPY[audience].heading}</h3>
        {editing && (
          <span className="badge" title={`Saved by ${editing.author} at ${formatTime(editing.at)}`}>
            editing saved draft
          </span>
        )}
        <span className="spacer" />
        {stale && <span className="comms-stale">document changed</span>}
        <button
          type="button"
          className="link"
          data-testid="comms-refresh"
          onClick={refresh}
          title="Refill title, summary and bullets from the document as it is now (keeps next update and channel)"
        >
          Refresh from document
        </button>
      </div>
      <p className="muted comms-hint">{COPY[audience].hint}</p>

      <label htmlFor={field("title")}>Title</label>
      <input
        id={field("title")}
        value={value.title}
        maxLength={MAX.title}
        onChange={(e) => set({ title: e.target.value })}
      />

      <label htmlFor={field("summary")}>
        Summary
        <Hint
          warn={sentences > SENTENCE_LIMIT}
        >{`${sentences} sentence${sentences === 1 ? "" : "s"}, aim for 1–2`}</Hint>
      </label>
      <textarea
        id={field("summary")}
        rows={3}
        value={value.summary}
        maxLength={MAX.summary}
        onChange={(e) => set({ summary: e.target.value })}
      />

      <label htmlFor={field("status")}>
        Current status <span className="muted">(one per line)</span>
        <Hint warn={statusHint.warn}>{statusHint.text}</Hint>
      </label>
      <textarea
        id={field("status")}
        rows={Math.max(2, Math.min(6, fields.currentStatus.length + 1))}
        value={value.currentStatus}
        onChange={(e) => set({ currentStatus: e.target.value })}
      />

      <label htmlFor={field("next")}>
        Next steps <span className="muted">(one per line)</span>
        <Hint warn={nextHint.warn}>{nextHint.text}</Hint>
      </label>
      <textarea
        id={field("next")}
        rows={Math.max(2, Math.min(6, fields.nextSteps.length + 1))}
        value={value.nextSteps}
        onChange={(e) => set({ nextSteps: e.target.value })}
      />

      <div className="comms-pair">
        <div>
          <label htmlFor={field("next-update")}>Next update: when &amp; where</label>
          <input
            id={field("next-update")}
            value={value.nextUpdate}
            maxLength={MAX.nextUpdate}
            placeholder="e.g. 15:30, here and by email"
            onChange={(e) => set({ nextUpdate: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor={field("channel")}>Channel</label>
          <input
            id={field("channel")}
            list={field("channels")}
            value={value.channel}
            maxLength={MAX.channel}
            placeholder={DEFAULT_CHANNEL[audience]}
            onChange={(e) => set({ channel: e.target.value })}
          />
          <datalist id={field("channels")}>
            {channelSuggestions.map((channel) => (
              <option key={channel} value={channel} />
            ))}
          </datalist>
        </div>
      </div>

      <div className="comms-actions">
        <button type="button" data-testid="comms-save-draft" onClick={save}>
          Save draft
        </button>
        <button
          type="button"
          className="primary"
          data-testid="comms-mark-sent"
          onClick={send}
          disabled={!canSend || sentText === draftKey}
          title={
            canSend
              ? "Record this update as sent; it becomes a key event on the timeline"
              : "A title and a summary first"
          }
        >
          Mark as sent
        </button>
        <PublishControls
          incident={incident}
          audience={audience}
          draftId={editing?.id}
          canPublish={canSend}
          draftKey={draftKey}
          save={() => {
            const id = write("draft");
            if (id) onChange({ ...value, editingId: id });
            return id;
          }}
          onPublished={(publishedKey) => {
            // Published is sent: the same text is neither marked sent again nor saved into that update.
            setSentText(publishedKey);
            onChange({ ...value, editingId: null });
            setNotice(`Published at ${formatTime(new Date().toISOString())}.`);
          }}
        />
        <span className="comms-feedback" role="status" aria-live="polite">
          {error ? (
            <span className="error" data-testid="comms-error">
              {error}
            </span>
          ) : (
            notice && <span className="muted">{notice}</span>
          )}
        </span>
      </div>

      <CommsPreview text={updateText(fields)} readOnly={false} />
      <CommsChecklist items={checklist} />
    </div>
  );
}

function Hint({ warn, children }: { warn: boolean; children: string }) {
  return <span className={warn ? "comms-count warn" : "comms-count"}>{children}</span>;
}
