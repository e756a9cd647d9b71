/**
 * TTD = detection − start of impact; TTR = end of impact − start of impact.
 * A missing time makes the duration unknown (null), never zero.
 */
export interface IncidentTimes {
  startedAt: string | null;
  detectedAt: string | null;
  endedAt: string | null;
}

export interface Durations {
  ttdMs: number | null;
  ttrMs: number | null;
  /** True when TTR is measured up to `now` because impact has not ended yet. */
  ttrOngoing: boolean;
}

export function durations(times: IncidentTimes, now?: Date): Durations {
  const start = parse(times.startedAt);
  const detected = parse(times.detectedAt);
  const ended = parse(times.endedAt);
  const ttdMs = start !== null && detected !== null ? detected - start : null;
  if (start !== null && ended !== null) return { ttdMs, ttrMs: ended - start, ttrOngoing: false };
  if (start !== null && now)
    return { ttdMs, ttrMs: Math.max(0, now.getTime() - start), ttrOngoing: true };
  return { ttdMs, ttrMs: null, ttrOngoing: false };
}

/** "1h 05m", "12m 30s", "45s"; "unknown" for null; negative durations keep their sign. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "unknown";
  const sign = ms < 0 ? "-" : "";
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${sign}${days}d ${hours}h ${pad(minutes)}m`;
  if (hours > 0) return `${sign}${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${sign}${minutes}m ${pad(seconds)}s`;
  return `${sign}${seconds}s`;
}

function parse(value: string | null): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}
