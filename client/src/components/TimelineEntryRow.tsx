import { memo, useEffect, useRef } from "react";
import type * as Y from "yjs";
import type { Actor, TimelineEntry } from "#shared/doc/index.ts";
import { useClock } from "../clock.ts";
import { SourceIcon } from "./SourceIcon.tsx";
import { StreamTag } from "./streams/StreamTag.tsx";
import { CorrectionHistory } from "./timeline/CorrectionHistory.tsx";
import {
  type CorrectionOutcome,
  TimelineCorrectionEditor,
} from "./timeline/TimelineCorrectionEditor.tsx";
import "./timeline/timeline.css";

/**
 * One timeline entry; key events (pinned) stand out, and its work stream shows as a
 * badge. A responder gets one "Correct" button per entry that opens the correction
 * editor under it; an entry whose text was removed says who removed it, when and why.
 */
export const TimelineEntryRow = memo(function TimelineEntryRow({
  entry,
  doc,
  actor,
  readOnly = true,
  editing = false,
  onEdit,
}: {
  entry: TimelineEntry;
  /** The document to re-tag the entry in; without it the stream is only shown. */
  doc?: Y.Doc;
  /** Who corrects; without it (or read-only) the entry cannot be corrected. */
  actor?: Actor;
  readOnly?: boolean;
  /** Whether the correction editor is open on this entry. */
  editing?: boolean;
  /** Opens the editor on an entry (its id) or closes it (null). */
  onEdit?: (id: string | null) => void;
}) {
  const clock = useClock();
  const correctButton = useRef<HTMLButtonElement>(null);
  const removalNotice = useRef<HTMLSpanElement>(null);
  // Set when this row's editor removed the entry: the notice that replaces the text (and
  // the Correct button, gone with it) takes the focus once the removal is drawn.
  const focusRemoval = useRef(false);
  const removal = entry.removal;
  useEffect(() => {
    if (!removal) return;
    // Removed by someone else while this editor was open: the editor goes, and a keyboard
    // that was in it goes on from the notice rather than from the top of the page.
    if (editing) {
      onEdit?.(null);
      if (document.activeElement === document.body || document.activeElement === null)
        focusRemoval.current = true;
    }
    if (focusRemoval.current) {
      focusRemoval.current = false;
      removalNotice.current?.focus();
    }
  }, [removal, editing, onEdit]);

  /**
   * The editor closed itself (saved, cancelled, removed). The focus goes back here only
   * then: when "Correct" on another entry closes this editor, that entry's editor takes
   * the focus, and nothing here may pull it back.
   */
  const closeEditor = (outcome: CorrectionOutcome) => {
    onEdit?.(null);
    if (outcome === "removed") {
      focusRemoval.current = true;
      // Usually the removal is drawn after this handler, and the effect above focuses the
      // notice then; should it be drawn already, it takes the focus now.
      if (removalNotice.current) {
        focusRemoval.current = false;
        removalNotice.current.focus();
      }
    } else correctButton.current?.focus();
  };

  const classes = [
    "timeline-entry",
    `kind-${entry.kind}`,
    entry.pinned && !removal && "pinned",
    entry.deleted && !removal && "deleted",
    removal && "removed",
  ]
    .filter(Boolean)
    .join(" ");
  const corrections = entry.corrections ?? [];
  const editedInHotdoc = corrections.some((c) => c.action === "edited");
  const canCorrect = !readOnly && doc !== undefined && actor !== undefined && !removal;
  const time = clock.format(entry.at, { seconds: true });
  return (
    <div
      className={classes}
      data-testid="timeline-entry"
      data-id={entry.id}
      data-kind={entry.kind}
      data-pinned={entry.pinned}
      data-removed={removal ? true : undefined}
      data-stream-id={entry.streamId}
    >
      <time
        dateTime={entry.at}
        title={`${clock.forInput(entry.at)} (${clock.label})`}
        className="mono"
      >
        {time}
      </time>
      <SourceIcon source={entry.source} />
      <span className="author">{entry.author}</span>
      <span className="badge kind">{entry.kind}</span>
      <span className="text">
        {entry.pinned && !removal && (
          <span className="key-event" title="Key event">
            ★{" "}
          </span>
        )}
        {removal ? (
          // Focusable from script only: the focus lands here after this page removed the entry.
          <span
            className="tl-removed"
            data-testid="timeline-removal"
            ref={removalNotice}
            tabIndex={-1}
          >
            Entry removed by {removal.by} at{" "}
            <time dateTime={removal.at}>{clock.format(removal.at)}</time>: {removal.reason}
          </span>
        ) : (
          entry.text
        )}
        {entry.editedAt && !entry.deleted && !editedInHotdoc && (
          <span className="muted"> (edited at source)</span>
        )}
        {entry.deleted && !removal && <span className="muted"> (deleted at source)</span>}
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
        {canCorrect && (
          <>
            {" "}
            <button
              ref={correctButton}
              type="button"
              className="link tl-correct"
              data-testid="timeline-correct"
              aria-expanded={editing}
              aria-label={`Correct the entry by ${entry.author} at ${time}`}
              onClick={() => onEdit?.(editing ? null : entry.id)}
            >
              Correct
            </button>
          </>
        )}
        <CorrectionHistory corrections={corrections} />
      </span>
      {editing && canCorrect && (
        <TimelineCorrectionEditor entry={entry} doc={doc} actor={actor} onClose={closeEditor} />
      )}
    </div>
  );
});
