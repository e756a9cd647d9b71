import { type ClockZone, MONTHS } from "./clock.ts";

/**
 * Times as responders type them ("14:05", "14:05 UTC", "10 min ago"), read in the zone
 * the reader chose (shared/clock.ts). Pure: the caller passes "now".
 */

export type ParsedTime = { ok: true; at: Date } | { ok: false; message: string };

export interface ParseOptions {
  now: Date;
  zone: ClockZone;
  /**
   * Which way a time without a date points. "past" (incident times, timeline entries):
   * "14:05" is the latest 14:05 not ahead of now, and a time ahead of now is refused.
   * "future" (the next update): "14:05" is the next 14:05, and a time behind now is refused.
   */
  direction?: "past" | "future";
}

/** Slack of the clock between browser and server: a typed "now" a few seconds ahead is still now. */
const AHEAD_TOLERANCE_MS = 60_000;
const DAY_MS = 86_400_000;

export const TIME_INPUT_HINT = "14:05, 14:05 UTC, 10 min ago, yesterday 23:50 or 2026-11-21 14:05";

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
};

function unitOf(word: string): number | undefined {
  const w = word.toLowerCase();
  if (/^(s|sec|secs|second|seconds)$/.test(w)) return UNIT_MS.s;
  if (/^(m|min|mins|minute|minutes)$/.test(w)) return UNIT_MS.m;
  if (/^(h|hr|hrs|hour|hours)$/.test(w)) return UNIT_MS.h;
  if (/^(d|day|days)$/.test(w)) return UNIT_MS.d;
  return undefined;
}

/** "1h 5m", "10 min", "90s": a duration in milliseconds, or null. */
function parseDuration(text: string): number | null {
  const parts = [...text.matchAll(/(\d+)\s*([a-z]+)/gi)];
  if (parts.length === 0) return null;
  if (parts.map((p) => p[0]).join(" ") !== text.replace(/\s+/g, " ").trim()) {
    // Something between the parts ("10 min and 5 s") is not a duration we read.
    const squeezed = parts.map((p) => p[0].replace(/\s+/g, "")).join("");
    if (squeezed !== text.replace(/\s+/g, "")) return null;
  }
  let total = 0;
  for (const [, amount, unit] of parts) {
    const ms = unitOf(unit ?? "");
    if (ms === undefined) return null;
    total += Number(amount) * ms;
  }
  return total;
}

/** Minutes east of UTC from "Z", "UTC", "GMT", "+02:00", "-0530", "+2"; undefined when not an offset. */
function offsetMinutes(text: string): number | undefined {
  const t = text.trim().toUpperCase();
  if (t === "Z" || t === "UTC" || t === "GMT") return 0;
  const m = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/** A calendar day; month is 1-12. */
interface Day {
  year: number;
  month: number;
  day: number;
}

interface WallTime extends Day {
  hour: number;
  minute: number;
  second: number;
}

/**
 * Where a written wall-clock time is read: in the reader's zone, or at a fixed offset
 * the writer gave ("14:05 UTC", "14:05 +02:00"), in minutes east of UTC.
 */
interface WrittenIn {
  zone: ClockZone;
  offset?: number;
}

/** The earliest and latest instants a typed time may name (the same years `validWall` allows). */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(2201, 0, 1);

/** The calendar day of `at` where the time was written. */
function dayIn(at: Date, where: WrittenIn): Day {
  if (where.offset !== undefined) {
    const shifted = new Date(at.getTime() + where.offset * 60_000);
    return {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
    };
  }
  return where.zone === "utc"
    ? { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() }
    : { year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate() };
}

function validWall(wall: WallTime): boolean {
  return (
    wall.year >= 1970 &&
    wall.year <= 2200 &&
    wall.month >= 1 &&
    wall.month <= 12 &&
    wall.day >= 1 &&
    wall.day <= 31 &&
    wall.hour <= 23 &&
    wall.minute <= 59 &&
    wall.second <= 59
  );
}

/**
 * The instant of a wall time where it was written, or null for a day the calendar does
 * not have (Feb 30). `skipped` marks a local time the clocks jumped over when daylight
 * saving time began (02:30 on the last Sunday of March in Berlin); `at` is then where
 * JavaScript's Date puts it, an hour on. A local time that happens twice (the hour
 * repeated in autumn) is the first of the two, as Date reads it; writing the offset
 * picks the other.
 */
function instantOf(wall: WallTime, where: WrittenIn): { at: Date; skipped: boolean } | null {
  if (!validWall(wall)) return null;
  const { year, month, day, hour, minute, second } = wall;
  if (where.offset !== undefined || where.zone === "utc") {
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    const utc = Date.UTC(year, month - 1, day, hour, minute, second);
    return { at: new Date(utc - (where.offset ?? 0) * 60_000), skipped: false };
  }
  // Set the day first, then the time: a day that does not exist rolls over into the
  // next month, and a time the clocks skipped comes back with other hours.
  const at = new Date(2000, 0, 1, 12, 0, 0, 0);
  at.setFullYear(year, month - 1, day);
  if (at.getMonth() !== month - 1 || at.getDate() !== day) return null;
  at.setHours(hour, minute, second, 0);
  const skipped = at.getDate() !== day || at.getHours() !== hour || at.getMinutes() !== minute;
  return { at, skipped };
}

function shiftDay(date: Day, days: number): Day {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const CLOCK = /^(\d{1,2})(?::(\d{2})(?::(\d{2}))?|h(\d{2}))\s*(am|pm)?$/i;

function clockOf(text: string): { hour: number; minute: number; second: number } | null {
  const m = CLOCK.exec(text.trim());
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? m[4]);
  const second = Number(m[3] ?? 0);
  const meridiem = m[5]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

type WallResult = { ok: true; at: Date; fixedDate: boolean } | { ok: false; message: string };

const refuse = (message: string): { ok: false; message: string } => ({ ok: false, message });
const unreadable = (text: string) =>
  refuse(`"${text}" is not a time hotdoc reads. Write it like ${TIME_INPUT_HINT}.`);

/** A fixed day's instant, or why there is none. */
function fixed(text: string, found: { at: Date; skipped: boolean } | null): WallResult {
  if (found === null) return refuse(`"${text}" is not a date on the calendar.`);
  if (found.skipped)
    return refuse(
      `"${text}" never happened in your time zone: the clocks skipped that hour for daylight saving time. Add the offset (e.g. "+01:00") or write it in UTC.`,
    );
  return { ok: true, at: found.at, fixedDate: true };
}

/**
 * Reads a typed time: `now`; `10 min ago`, `1h 5m ago`, `in 30 min`; `14:05`, `2:05 pm`,
 * `14:05:30`, each optionally after `today`/`yesterday`/`tomorrow`, a date `2026-11-21`
 * or a date as the page writes it (`Nov 21`, `Nov 21 2026`), and optionally followed by
 * a zone (`UTC`, `Z`, `+02:00`, `local`); or a full ISO 8601 instant. A time without a
 * zone is in the reader's chosen zone. Anything else is refused with an example, never
 * guessed at. Times are kept to the second: nobody types milliseconds.
 */
export function parseTimeInput(input: string, options: ParseOptions): ParsedTime {
  const { now, zone } = options;
  const direction = options.direction ?? "past";
  const text = input.trim().replace(/\s+/g, " ");
  if (text === "") return refuse("Type a time, for example 14:05.");
  const lower = text.toLowerCase();

  let result: Date;
  let fixedDate = false;
  if (lower === "now") {
    result = new Date(now.getTime());
  } else if (/\bago$/.test(lower)) {
    const ms = parseDuration(lower.replace(/\s*ago$/, ""));
    if (ms === null) return unreadable(text);
    result = new Date(now.getTime() - ms);
  } else if (/^in\b/.test(lower)) {
    const ms = parseDuration(lower.replace(/^in\s*/, ""));
    if (ms === null) return unreadable(text);
    result = new Date(now.getTime() + ms);
  } else {
    const parsed = parseWallClock(text, zone, now, direction);
    if (!parsed.ok) return parsed;
    result = parsed.at;
    fixedDate = parsed.fixedDate;
  }
  const ms = result.getTime();
  if (Number.isNaN(ms) || ms < EARLIEST_MS || ms >= LATEST_MS)
    return refuse(`"${text}" is too far from now to be an incident time.`);
  result = new Date(Math.floor(ms / 1000) * 1000);

  const ahead = result.getTime() - now.getTime();
  if (direction === "past" && ahead > AHEAD_TOLERANCE_MS)
    return refuse(
      fixedDate || /^in\b/.test(lower)
        ? "That time is still to come; an incident time must be in the past."
        : "That time is still to come.",
    );
  if (direction === "future" && ahead < -AHEAD_TOLERANCE_MS)
    return refuse("That time has already passed; the next update must be later than now.");
  return { ok: true, at: result };
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DATED = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T|\s+)(.+)$/i;
/** A date as formatClock writes it: "Nov 21 14:05", "Nov 21 2025 14:05" (also "November 21, 2025"). */
const MONTH_DAY = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?,?\s+(.+)$/i;
const ZONE_SUFFIX = /^(.*?)\s*(z|utc|gmt|local|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?)$/i;
/** How far back (or ahead) a month and day without a year may reach: about half a year. */
const NO_YEAR_REACH_MS = 183 * DAY_MS;

/** The candidate nearest now on the side `direction` points to (with the clock slack). */
function nearest<T extends { at: Date }>(
  candidates: T[],
  now: Date,
  direction: "past" | "future",
): T | undefined {
  const ahead = (c: T) => c.at.getTime() - now.getTime();
  const sorted = [...candidates].sort((a, b) => a.at.getTime() - b.at.getTime());
  return direction === "past"
    ? sorted.filter((c) => ahead(c) <= AHEAD_TOLERANCE_MS).pop()
    : sorted.find((c) => ahead(c) >= -AHEAD_TOLERANCE_MS);
}

function parseWallClock(
  text: string,
  zone: ClockZone,
  now: Date,
  direction: "past" | "future",
): WallResult {
  const iso = ISO_INSTANT.exec(text);
  if (iso) {
    const offset = iso[7] === undefined ? undefined : offsetMinutes(iso[7]);
    const at = instantOf(
      {
        year: Number(iso[1]),
        month: Number(iso[2]),
        day: Number(iso[3]),
        hour: Number(iso[4]),
        minute: Number(iso[5]),
        second: Number(iso[6] ?? 0),
      },
      { zone, offset },
    );
    return fixed(text, at);
  }

  // The day part, if any: a full date, a month and day, or a word relative to today.
  let rest = text;
  let fullDate: Day | undefined;
  let monthDay: { month: number; day: number } | undefined;
  let dayShift: number | undefined;
  const dated = DATED.exec(rest);
  const named = dated ? null : MONTH_DAY.exec(rest);
  const month = named ? MONTHS.findIndex((m) => m.toLowerCase() === named[1]?.toLowerCase()) : -1;
  const lower = rest.toLowerCase();
  if (dated) {
    fullDate = { year: Number(dated[1]), month: Number(dated[2]), day: Number(dated[3]) };
    rest = dated[4] ?? "";
  } else if (named && month >= 0) {
    if (named[3]) fullDate = { year: Number(named[3]), month: month + 1, day: Number(named[2]) };
    else monthDay = { month: month + 1, day: Number(named[2]) };
    rest = named[4] ?? "";
  } else if (lower.startsWith("today ")) {
    dayShift = 0;
    rest = rest.slice(6);
  } else if (lower.startsWith("yesterday ")) {
    dayShift = -1;
    rest = rest.slice(10);
  } else if (lower.startsWith("tomorrow ")) {
    dayShift = 1;
    rest = rest.slice(9);
  }

  // A zone at the end: "14:05 UTC", "14:05Z", "14:05 +02:00", "14:05 local".
  const where: WrittenIn = { zone };
  const zoned = ZONE_SUFFIX.exec(rest);
  if (zoned?.[1] && clockOf(zoned[1])) {
    const suffix = (zoned[2] ?? "").toLowerCase();
    if (suffix === "local") where.zone = "local";
    else {
      where.offset = offsetMinutes(suffix);
      if (where.offset === undefined) return unreadable(text);
    }
    rest = zoned[1];
  }
  const clock = clockOf(rest);
  if (!clock) return unreadable(text);
  const on = (day: Day) => instantOf({ ...day, ...clock }, where);

  if (fullDate) return fixed(text, on(fullDate));
  // "Today" and "yesterday" are days where the time was written.
  const today = dayIn(now, where);
  if (dayShift !== undefined) return fixed(text, on(shiftDay(today, dayShift)));
  // A skipped local time still competes at the instant Date gives it, so that "02:30"
  // typed on the morning the clocks went forward is refused rather than read as the day
  // before's 02:30.
  const pickFrom = (found: ({ at: Date; skipped: boolean } | null)[]) =>
    nearest(
      found.filter((f): f is { at: Date; skipped: boolean } => f !== null),
      now,
      direction,
    );
  if (monthDay) {
    // No year: the nearest such day on the side `direction` points to, within about
    // half a year ("Dec 31 23:50" typed on January 1st is last year's); otherwise this
    // year's, which the caller then refuses as still to come or already passed.
    const found = [today.year - 1, today.year, today.year + 1].map((year) =>
      on({ year, ...monthDay }),
    );
    const pick = pickFrom(found);
    if (pick && Math.abs(pick.at.getTime() - now.getTime()) <= NO_YEAR_REACH_MS)
      return fixed(text, pick);
    return fixed(text, found[1] ?? null);
  }
  // No date: the occurrence nearest now on the side `direction` points to.
  const pick = pickFrom([-2, -1, 0, 1, 2].map((shift) => on(shiftDay(today, shift))));
  if (!pick) return unreadable(text);
  const result = fixed(text, pick);
  return result.ok ? { ...result, fixedDate: false } : result;
}
