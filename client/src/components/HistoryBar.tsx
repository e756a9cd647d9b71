import { useClock } from "../clock.ts";
import { useHistoryRange } from "../hooks/useHistoryDoc.ts";
import { useNow } from "../hooks/useNow.ts";

const STEPS = 1000;

/**
 * "What did we know at 14:05?": a slider over the document's kept history. Moving
 * it shows the document as it stood then, read-only; "Live" goes back.
 */
export function HistoryBar({
  incidentKey,
  at,
  onChange,
}: {
  incidentKey: string;
  at: string | null;
  onChange: (at: string | null) => void;
}) {
  const range = useHistoryRange(incidentKey, true);
  const clock = useClock();
  // The slider reaches up to now, not to when the page loaded.
  const now = useNow(5000).getTime();
  if (!range) return null;
  const span = Math.max(1, now - range.start);
  const position = at ? Math.round(((Date.parse(at) - range.start) / span) * STEPS) : STEPS;
  // In the page's one clock (24-hour, the zone chosen in the top bar), to the second.
  const label = at ? clock.format(at, { withDate: true, seconds: true }) : "live";
  return (
    <div className={`history-bar${at ? " past" : ""}`} data-testid="history-bar">
      <label className="inline">
        History
        <input
          type="range"
          min={0}
          max={STEPS}
          value={position}
          data-view-control
          data-testid="history-slider"
          aria-label="Show the document as it stood at"
          onChange={(event) => {
            const step = Number(event.target.value);
            onChange(
              step >= STEPS ? null : new Date(range.start + (span * step) / STEPS).toISOString(),
            );
          }}
        />
      </label>
      <span className="mono" data-testid="history-at" title={at ? clock.label : undefined}>
        {label}
      </span>
      {at && (
        <button
          type="button"
          data-view-control
          data-testid="history-live"
          onClick={() => onChange(null)}
        >
          Back to live
        </button>
      )}
    </div>
  );
}
