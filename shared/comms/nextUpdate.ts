import type { ClockZone } from "../clock.ts";
import type { CommsUpdate } from "../doc/schema.ts";
import { parseTimeInput } from "../timeInput.ts";

/**
 * The update cadence: the drafts propose "In 30 minutes", and past that an active
 * incident's last internal update is overdue.
 */
export const UPDATE_CADENCE_MS = 30 * 60_000;

/** The newest update that was really sent (drafts are never an official word), or undefined. */
export function latestSentUpdate(
  comms: readonly CommsUpdate[],
  audience?: CommsUpdate["audience"],
): CommsUpdate | undefined {
  let latest: CommsUpdate | undefined;
  for (const c of comms) {
    if (c.state !== "sent" || (audience && c.audience !== audience)) continue;
    if (!latest || sentAt(c) > sentAt(latest)) latest = c;
  }
  return latest;
}

function sentAt(update: CommsUpdate): string {
  return update.sentAt ?? update.at;
}

interface NextUpdateDue {
  at: Date;
  /** "stated": read from the update's own "next update" line; "cadence": its send time plus the cadence. */
  basis: "stated" | "cadence";
}

/**
 * When the next update is due after `update` was sent. The "next update" line is free
 * text ("In 30 minutes, here and by email", "14:30 UTC on the status page"), so its
 * leading words are read with the page's one time parser, relative to when the update
 * was sent; a line that names no readable time falls back to the cadence. A clock time
 * without a zone is read in `zone`, the reader's zone choice: the sender's is unknown.
 */
export function nextUpdateDue(update: CommsUpdate, zone: ClockZone): NextUpdateDue {
  const sent = new Date(sentAt(update));
  const stated = statedTime(update.nextUpdate, sent, zone);
  if (stated) return { at: stated, basis: "stated" };
  return { at: new Date(sent.getTime() + UPDATE_CADENCE_MS), basis: "cadence" };
}

/** What may come before the time: "Next update:", "Next update at", "by", "around"… */
const LEAD_IN = /^(?:next update\b\s*:?\s*)?(?:(?:at|by|around|before)\s+)?/i;
/** "Tomorrow at 09:00": the clock parser reads a day word followed directly by the time. */
const DAY_THEN_AT = /^(today|tomorrow)\s+(?:at|by|around|before)\s+/i;

/**
 * Longest readable time phrase the text starts with (at most six words), after a lead-in
 * ("Next update:", "at", "by"). Conservative on purpose: only what the clock parser reads
 * counts, so a line it cannot read keeps the cadence rather than a guessed time.
 */
function statedTime(text: string, sent: Date, zone: ClockZone): Date | null {
  if (Number.isNaN(sent.getTime())) return null;
  const words = text
    .trim()
    .replace(LEAD_IN, "")
    .replace(DAY_THEN_AT, "$1 ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6);
  for (let n = words.length; n > 0; n--) {
    const phrase = words
      .slice(0, n)
      .join(" ")
      .replace(/[,.;:!)]+$/, "");
    const parsed = parseTimeInput(phrase, { now: sent, zone, direction: "future" });
    if (parsed.ok) return parsed.at;
  }
  return null;
}
