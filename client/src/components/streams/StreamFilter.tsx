import { NO_STREAM, useStreams } from "./StreamsContext.tsx";
import "./streams.css";

/**
 * Narrows the timeline, the change log, the investigation and the follow-ups to one
 * work stream (or to what belongs to none). A view control: it changes nothing in
 * the document, so read-only viewers have it too.
 */
export function StreamFilter({ onChange }: { onChange: (filter: string | null) => void }) {
  const { streams, filter } = useStreams();
  if (streams.length === 0) return null;
  return (
    <label className={`stream-filter${filter ? " stream-filter-active" : ""}`}>
      <span className="muted">Show</span>
      <select
        aria-label="Show work stream"
        data-view-control
        data-testid="stream-filter"
        value={filter ?? ""}
        onChange={(e) => onChange(e.target.value || null)}
      >
        <option value="">All streams</option>
        {streams.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
            {s.state === "done" ? " (done)" : ""}
          </option>
        ))}
        <option value={NO_STREAM}>No stream</option>
      </select>
    </label>
  );
}
