import { useState } from "react";
import type * as Y from "yjs";
import { type StreamTaggable, setRecordStream } from "#shared/doc/index.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { InlineError } from "../InlineError.tsx";
import { StreamOptions } from "./StreamPicker.tsx";
import { useStreams } from "./StreamsContext.tsx";
import "./streams.css";

/**
 * A record's work stream as a badge. Responders click it (or "+ stream" on an
 * untagged record) to move the record to another stream or out of any; the
 * record's timeline entries follow it.
 */
export function StreamTag({
  collection,
  id,
  streamId,
  doc,
  readOnly,
}: {
  collection: StreamTaggable;
  id: string;
  streamId: string | undefined;
  doc: Y.Doc;
  readOnly: boolean;
}) {
  const { streams, byId } = useStreams();
  const [editing, setEditing] = useState(false);
  const { error, attempt, clear } = useWriteAttempt();
  const stream = streamId === undefined ? undefined : byId.get(streamId);

  if (readOnly || streams.length === 0) {
    return stream ? (
      <span
        className={`badge stream-badge${stream.state === "done" ? " stream-badge-done" : ""}`}
        data-testid="stream-badge"
        data-stream-id={stream.id}
        title={`Work stream: ${stream.name}`}
      >
        {stream.name}
      </span>
    ) : null;
  }

  if (editing) {
    const offered = streams.filter((s) => s.state === "active" || s.id === streamId);
    return (
      <span className="stream-tag-edit">
        <select
          aria-label="Move to work stream"
          data-testid="stream-tag-select"
          value={stream ? stream.id : ""}
          autoFocus
          onChange={(e) => {
            const next = e.target.value || null;
            if (attempt(() => setRecordStream(doc, collection, id, next))) setEditing(false);
          }}
          onBlur={() => setEditing(false)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setEditing(false);
          }}
        >
          <StreamOptions offered={offered} />
        </select>
        <InlineError error={error} testId="stream-tag-error" />
      </span>
    );
  }

  return (
    <button
      type="button"
      className={
        stream
          ? `badge stream-badge stream-badge-button${stream.state === "done" ? " stream-badge-done" : ""}`
          : "link stream-tag-add"
      }
      data-testid={stream ? "stream-badge" : "stream-tag-add"}
      data-stream-id={stream?.id}
      title={stream ? `Work stream: ${stream.name} (click to change)` : "Tag with a work stream"}
      onClick={() => {
        clear();
        setEditing(true);
      }}
    >
      {stream ? stream.name : "+ stream"}
    </button>
  );
}
