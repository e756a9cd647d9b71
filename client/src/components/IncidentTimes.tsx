import { durations, formatDuration, type IncidentDocument } from "#shared/doc/index.ts";
import { useNow } from "../hooks/useNow.ts";

/** TTD and TTR, ticking every second while impact is ongoing. */
export function IncidentTimes({ times, at }: { times: IncidentDocument["times"]; at?: string }) {
  const now = useNow(1000);
  // In the history view, an ongoing TTR is measured up to the instant shown, not to now.
  const { ttdMs, ttrMs, ttrOngoing } = durations(times, at ? new Date(at) : now);
  return (
    <dl className="times">
      <div>
        <dt title="Time to detect: detection − start of impact">TTD</dt>
        <dd data-testid="header-ttd">{formatDuration(ttdMs)}</dd>
      </div>
      <div>
        <dt title="Time to resolve: end of impact − start of impact">TTR</dt>
        <dd data-testid="header-ttr" data-ongoing={ttrOngoing}>
          {formatDuration(ttrMs)}
          {ttrOngoing && <span className="muted"> (ongoing)</span>}
        </dd>
      </div>
    </dl>
  );
}
