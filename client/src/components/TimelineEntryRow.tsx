import { memo } from "react";
import type { TimelineEntry } from "#shared/doc/index.ts";
import { formatTime } from "../format.ts";
import { SourceIcon } from "./SourceIcon.tsx";

/** One timeline entry; key events (pinned) stand out. */
export const TimelineEntryRow = memo(function TimelineEntryRow({
  entry,
}: {
  entry: TimelineEntry;
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
      </span>
    </div>
  );
});
