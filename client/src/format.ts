import { formatClock } from "#shared/clock.ts";
import { clockZone } from "./clock.ts";

/** Display formatting for times and ages, in the page's one clock (see clock.ts). */

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * "14:05:09", or "Nov 20 14:05:09" when not today: 24-hour, in the zone the reader chose.
 * A component that shows it calls `useClock()`, so it redraws when the choice changes.
 */
export function formatTime(iso: string | null, now: Date = new Date()): string {
  return formatClock(iso, { zone: clockZone(), now, seconds: true });
}

/** Coarse age for lists: "just now", "12m", "3h 05m", "2d 4h". */
export function formatAge(iso: string | null, now: Date): string {
  if (!iso) return "—";
  const ms = now.getTime() - Date.parse(iso);
  if (Number.isNaN(ms)) return "—";
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
