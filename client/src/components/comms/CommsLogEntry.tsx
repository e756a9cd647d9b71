import { useState } from "react";
import type * as Y from "yjs";
import { type Actor, type CommsUpdate, markCommsSent } from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { updateText } from "./commsText.ts";

/** One update in the log: a sent one with when and where, or a saved draft to open or mark sent. */
export function CommsLogEntry({
  record,
  doc,
  actor,
  readOnly,
  onOpen,
  expanded = false,
}: {
  record: CommsUpdate;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
  onOpen: (record: CommsUpdate) => void;
  expanded?: boolean;
}) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const [error, setError] = useState<string | null>(null);
  const sent = record.state === "sent";
  const time = sent ? (record.sentAt ?? record.at) : record.at;

  const markSent = () => {
    try {
      setError(null);
      markCommsSent(doc, record.id, actor, record.channel || undefined);
    } catch (reason) {
      setError(describeError(reason));
    }
  };

  return (
    <li
      className={`comms-log-entry ${record.state}`}
      data-testid="comms-log-entry"
      data-state={record.state}
      data-id={record.id}
    >
      <time className="mono" dateTime={time} title={sent ? "Sent" : "Saved"}>
        {formatTime(time)}
      </time>
      <span className={`badge comms-audience ${record.audience}`}>{record.audience}</span>
      <div className="comms-log-body">
        <details open={expanded}>
          <summary>
            <span className="comms-log-title">
              {record.title || <span className="muted">(untitled)</span>}
            </span>
            <span className="muted">
              {sent ? " sent" : " draft saved"} by {record.author}
              {record.channel ? ` · ${record.channel}` : ""}
            </span>
          </summary>
          {/* The title is already the summary line above. */}
          <pre className="comms-log-text">{updateText({ ...record, title: "" })}</pre>
        </details>
        {error && <p className="error">{error}</p>}
      </div>
      {!sent && !readOnly && (
        <span className="comms-log-actions">
          <button
            type="button"
            className="link"
            data-testid="comms-open-draft"
            onClick={() => onOpen(record)}
          >
            Open
          </button>
          <button
            type="button"
            data-testid="comms-mark-sent"
            onClick={markSent}
            title="Record this draft as sent; it becomes a key event on the timeline"
          >
            Mark sent
          </button>
        </span>
      )}
    </li>
  );
}
