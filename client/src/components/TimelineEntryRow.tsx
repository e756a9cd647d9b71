import { memo } from "react";
import type * as Y from "yjs";
import type { TimelineEntry } from "#shared/doc/index.ts";
import { formatTime } from "../format.ts";
import { SourceIcon } from "./SourceIcon.tsx";
import { StreamTag } from "./streams/StreamTag.tsx";

/** One timeline entry; key events (pinned) stand out, and its work stream shows as a badge. */
export const TimelineEntryRow = memo(function TimelineEntryRow({
  entry,
  doc,
  readOnly = true,
}: {
  entry: TimelineEntry;
  /** The document to re-tag the entry in; without it the stream is only shown. */
  doc?: Y.Doc;
  readOnly?: boolean;
}) {
  const classes = [
    "timeline-entry",
    `kind-${entry.kind}`,
    entry.pinned && "pinned",
    entry.deleted && "deleted",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <div
      className={classes}
      data-testid="timeline-entry"
      data-id={entry.id}
      data-kind={entry.kind}
      data-pinned={entry.pinned}
      data-stream-id={entry.streamId}
    >
      <time dateTime={entry.at} title={entry.at} className="mono">
        {formatTime(entry.at)}
      </time>
      <SourceIcon source={entry.source} />
      <span className="author">{entry.author}</span>
      <span className="badge kind">{entry.kind}</span>
      <span className="text">
        {entry.pinned && (
          <span className="key-event" title="Key event">
            ★{" "}
          </span>
        )}
        {entry.text}
        {entry.editedAt && !entry.deleted && <span className="muted"> (edited)</span>}
        {entry.deleted && <span className="muted"> (deleted at source)</span>}
        {doc && (
          <>
            {" "}
            <StreamTag
              collection="timeline"
              id={entry.id}
              streamId={entry.streamId}
              doc={doc}
              readOnly={readOnly}
            />
          </>
        )}
      </span>
    </div>
  );
});
