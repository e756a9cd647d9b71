import { useState } from "react";
import type * as Y from "yjs";
import { publishedBody } from "#shared/comms/updateText.ts";
import {
  type Actor,
  type CommsUpdate,
  markCommsSent,
  type PublicationRecord,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { InlineError } from "../InlineError.tsx";
import { PublicationList, usePublish } from "./PublishControls.tsx";

/** One update in the log: a sent one with when and where, or a saved draft to open or mark sent. */
export function CommsLogEntry({
  record,
  publications = [],
  incidentKey,
  doc,
  actor,
  readOnly,
  onOpen,
  expanded = false,
}: {
  record: CommsUpdate;
  /** This update's publications. */
  publications?: PublicationRecord[];
  /** For retrying a failed publication; absent, none is offered. */
  incidentKey?: string;
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
          <pre className="comms-log-text">{publishedBody(record)}</pre>
        </details>
        {error && <p className="error">{error}</p>}
        <EntryPublications
          publications={publications}
          incidentKey={readOnly ? undefined : incidentKey}
        />
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

/**
 * Where a sent update went, when, by whom, with the provider's link. A viewer sees only
 * where it arrived (a provider's error is for the responders, who can retry it).
 */
function EntryPublications({
  publications,
  incidentKey,
}: {
  publications: PublicationRecord[];
  incidentKey?: string;
}) {
  const publish = usePublish(incidentKey ?? "");
  const shown = incidentKey
    ? [
        ...publications,
        ...publish.answered.filter(
          (a) =>
            publications.some((p) => p.commsId === a.commsId) &&
            !publications.some((p) => p.id === a.id),
        ),
      ]
    : publications.filter((p) => p.state === "sent");
  if (shown.length === 0) return null;
  return (
    <>
      <PublicationList
        publications={shown}
        withAuthor
        busy={publish.busy}
        onRetry={incidentKey ? (p) => p.commsId && void publish.run(p.commsId) : undefined}
      />
      <InlineError error={publish.error} testId="publish-error" />
    </>
  );
}
