import { useSyncExternalStore } from "react";
import { type ClockZone, formatClock, formatForInput, zoneLabel } from "#shared/clock.ts";
import { type ParsedTime, parseTimeInput } from "#shared/timeInput.ts";

/**
 * The page's one clock: every time on every page is written 24-hour in one zone, the
 * reader's choice of their own or UTC, kept in this browser. Components that show times
 * call `useClock()` so they redraw when the choice changes.
 */

const STORAGE_KEY = "hotdoc.clock-zone";
const listeners = new Set<() => void>();

function stored(): ClockZone {
  try {
    return localStorage.getItem(STORAGE_KEY) === "utc" ? "utc" : "local";
  } catch {
    return "local";
  }
}

let current: ClockZone = typeof localStorage === "undefined" ? "local" : stored();

export function clockZone(): ClockZone {
  return current;
}

export function setClockZone(zone: ClockZone): void {
  if (zone === current) return;
  current = zone;
  try {
    localStorage.setItem(STORAGE_KEY, zone);
  } catch {
    // A browser that keeps nothing still switches for this page.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// A choice made in another tab of this browser applies here too, so two open incidents
// never show the same instant in two zones.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key !== STORAGE_KEY && event.key !== null) return;
    const next = stored();
    if (next === current) return;
    current = next;
    for (const listener of listeners) listener();
  });
}

/** How long the browser's zone name is trusted before asking again (a laptop may travel). */
const ZONE_NAME_TTL_MS = 60_000;
let zoneName: { name: string | undefined; asked: number } | null = null;

/** The browser's zone name, e.g. "Europe/Berlin" (undefined where the browser does not say). */
function localZoneName(): string | undefined {
  const now = Date.now();
  if (zoneName && now - zoneName.asked < ZONE_NAME_TTL_MS) return zoneName.name;
  let name: string | undefined;
  try {
    name = Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    name = undefined;
  }
  zoneName = { name, asked: now };
  return name;
}

export interface Clock {
  zone: ClockZone;
  /** "UTC" or "Europe/Berlin (UTC+01:00)". */
  label: string;
  /** "14:05" today, "Nov 20 14:05" another day. */
  format(
    iso: string | Date | null | undefined,
    options?: { seconds?: boolean; withDate?: boolean },
  ): string;
  /** "2026-11-21 14:05": what a time field shows, typeable back unchanged. */
  forInput(iso: string | Date | null | undefined): string;
  /** Reads a typed time in this zone. */
  parse(text: string, direction?: "past" | "future"): ParsedTime;
}

function clockFor(zone: ClockZone, now: () => Date = () => new Date()): Clock {
  return {
    zone,
    // Worked out when read: asking Intl for the zone costs more than a frame can spare
    // when every row of a long timeline renders with a clock.
    get label() {
      return zoneLabel(zone, now(), localZoneName());
    },
    format: (iso, options) => formatClock(iso, { zone, now: now(), ...options }),
    forInput: (iso) => formatForInput(iso, zone),
    parse: (text, direction = "past") => parseTimeInput(text, { now: now(), zone, direction }),
  };
}

/** The two zones a reader may choose, each with how it is labelled now. */
export function zoneChoices(now: Date = new Date()): { zone: ClockZone; label: string }[] {
  return (["local", "utc"] as const).map((zone) => ({
    zone,
    label: zoneLabel(zone, now, localZoneName()),
  }));
}

export function useClock(): Clock {
  const zone = useSyncExternalStore(subscribe, clockZone, clockZone);
  return clockFor(zone);
}
