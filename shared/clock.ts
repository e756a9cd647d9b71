/**
 * Times as responders read them: one 24-hour format, in one zone the reader chooses
 * (their own or UTC). Pure: the caller passes "now". Reading what they type is
 * shared/timeInput.ts.
 */

/** The page's one time zone choice: the browser's own zone, or UTC. */
export type ClockZone = "local" | "utc";

/** How the page writes a month ("Nov 20 14:05"), and so one way a typed time may name it. */
export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

const pad = (n: number) => String(n).padStart(2, "0");

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsIn(at: Date, zone: ClockZone): Parts {
  return zone === "utc"
    ? {
        year: at.getUTCFullYear(),
        month: at.getUTCMonth() + 1,
        day: at.getUTCDate(),
        hour: at.getUTCHours(),
        minute: at.getUTCMinutes(),
        second: at.getUTCSeconds(),
      }
    : {
        year: at.getFullYear(),
        month: at.getMonth() + 1,
        day: at.getDate(),
        hour: at.getHours(),
        minute: at.getMinutes(),
        second: at.getSeconds(),
      };
}

export interface FormatOptions {
  zone: ClockZone;
  now: Date;
  /** Show seconds ("14:05:09"); default false ("14:05"). */
  seconds?: boolean;
  /** Always show the date, even today; default false. */
  withDate?: boolean;
}

/**
 * The one way the page writes a time: 24-hour, "14:05" today, "Nov 20 14:05" another day,
 * "Nov 20 2025 14:05" another year. "—" when missing or unreadable.
 */
export function formatClock(iso: string | Date | null | undefined, options: FormatOptions): string {
  if (iso === null || iso === undefined) return "—";
  const at = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(at.getTime())) return "—";
  const p = partsIn(at, options.zone);
  const n = partsIn(options.now, options.zone);
  const time = `${pad(p.hour)}:${pad(p.minute)}${options.seconds ? `:${pad(p.second)}` : ""}`;
  const sameDay = p.year === n.year && p.month === n.month && p.day === n.day;
  if (sameDay && !options.withDate) return time;
  const date = `${MONTHS[p.month - 1]} ${p.day}${p.year === n.year ? "" : ` ${p.year}`}`;
  return `${date} ${time}`;
}

/** A time as it can be typed back in unchanged: "2026-11-21 14:05" (in the zone). */
export function formatForInput(iso: string | Date | null | undefined, zone: ClockZone): string {
  if (iso === null || iso === undefined) return "";
  const at = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const p = partsIn(at, zone);
  const seconds = p.second === 0 ? "" : `:${pad(p.second)}`;
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}${seconds}`;
}

/** "UTC", or the browser's zone with its current offset: "Europe/Berlin (UTC+01:00)". */
export function zoneLabel(zone: ClockZone, now: Date, localName?: string): string {
  if (zone === "utc") return "UTC";
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const utc = `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return localName ? `${localName} (${utc})` : utc;
}
