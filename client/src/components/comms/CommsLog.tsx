import type * as Y from "yjs";
import type { Actor, CommsUpdate, PublicationRecord, Status } from "#shared/doc/index.ts";
import { CommsCadence } from "./CommsCadence.tsx";
import { CommsLogEntry } from "./CommsLogEntry.tsx";

/** Updates in the document, newest first. Viewers see only what was sent. */
export function CommsLog({
  comms,
  publications = [],
  incidentKey,
  status,
  doc,
  actor,
  readOnly,
  onOpen,
}: {
  comms: CommsUpdate[];
  /** Where the updates were published (Statuspage, email, webhook). */
  publications?: PublicationRecord[];
  /** For retrying a failed publication; absent, none is offered. */
  incidentKey?: string;
  status: Status;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
  onOpen: (record: CommsUpdate) => void;
}) {
  const shown = comms
    .filter((c) => !readOnly || c.state === "sent")
    .sort((a, b) => {
      const at = (c: CommsUpdate) => (c.state === "sent" ? (c.sentAt ?? c.at) : c.at);
      return at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0;
    });
  const drafts = shown.filter((c) => c.state === "draft").length;
  return (
    <div className="comms-log-wrap">
      <div className="comms-draft-head">
        <h3>Sent updates{readOnly ? "" : " and saved drafts"}</h3>
        {drafts > 0 && (
          <span className="muted">
            {drafts} draft{drafts === 1 ? "" : "s"} not sent
          </span>
        )}
      </div>
      <CommsCadence comms={comms} status={status} />
      {shown.length === 0 ? (
        <p className="muted" data-testid="comms-log">
          {readOnly ? "No updates sent yet." : "No updates sent or saved yet."}
        </p>
      ) : (
        <ol className="comms-log" data-testid="comms-log">
          {shown.map((record, index) => (
            <CommsLogEntry
              key={record.id}
              record={record}
              publications={publications.filter((p) => p.commsId === record.id)}
              incidentKey={incidentKey}
              doc={doc}
              actor={actor}
              readOnly={readOnly}
              onOpen={onOpen}
              // A viewer comes for the latest word: show it in full.
              expanded={readOnly && index === 0}
            />
          ))}
        </ol>
      )}
    </div>
  );
}
