import { useState } from "react";
import type { WorkStream } from "#shared/doc/index.ts";
import { NO_STREAM, useStreams } from "./StreamsContext.tsx";

/**
 * The stream a new record goes into: what the person picked, else the stream the
 * page is narrowed to (adding while looking at one stream adds to it), else none.
 * `reset` goes back to following the page after a record was added.
 */
export function useStreamChoice() {
  const { byId, filter } = useStreams();
  const [picked, setPicked] = useState<string | null>(null);
  const followed =
    filter && filter !== NO_STREAM && byId.get(filter)?.state === "active" ? filter : "";
  const value = picked !== null && (picked === "" || byId.has(picked)) ? picked : followed;
  return {
    value,
    /** The id to write, or undefined for none. */
    streamId: value || undefined,
    set: setPicked,
    reset: () => setPicked(null),
  };
}

/** A select of the active streams (and the chosen one, if it has ended); nothing while the incident has no streams. */
export function StreamPicker({
  value,
  onChange,
  testId,
  className,
}: {
  value: string;
  onChange: (streamId: string) => void;
  testId: string;
  className?: string;
}) {
  const { streams } = useStreams();
  const offered = streams.filter((s) => s.state === "active" || s.id === value);
  if (offered.length === 0) return null;
  return (
    <select
      aria-label="Work stream"
      title="Work stream"
      data-testid={testId}
      className={["stream-picker", className].filter(Boolean).join(" ")}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      <StreamOptions offered={offered} />
    </select>
  );
}

/** The choices of a stream select: none, then each offered stream (marked when it has ended). */
export function StreamOptions({ offered }: { offered: readonly WorkStream[] }) {
  return (
    <>
      <option value="">No stream</option>
      {offered.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
          {s.state === "done" ? " (done)" : ""}
        </option>
      ))}
    </>
  );
}
