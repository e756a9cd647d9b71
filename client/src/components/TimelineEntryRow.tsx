import type { TimelineEntry } from "../../../shared/doc/index.ts";
import { formatTime } from "../format.ts";

export function TimelineEntryRow({ entry }: { entry: TimelineEntry }) {
  const classes = ["timeline-entry", `kind-${entry.kind}`, entry.pinned && "pinned", entry.deleted && "deleted"].filter(Boolean).join(" ");
  return (
    <li className={classes} data-testid="timeline-entry" data-id={entry.id} data-kind={entry.kind} data-pinned={entry.pinned}>
      <time dateTime={entry.at} title={entry.at} className="mono">
        {formatTime(entry.at)}
      </time>
      <span className="author">{entry.author}</span>
      <span className="source muted">{entry.source}</span>
      <span className={`badge kind`}>{entry.kind}</span>
      <span className="text">
        {entry.text}
        {entry.editedAt && !entry.deleted && <span className="muted"> (edited)</span>}
        {entry.deleted && <span className="muted"> (deleted at source)</span>}
      </span>
    </li>
  );
}
