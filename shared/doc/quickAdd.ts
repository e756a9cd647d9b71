import type * as Y from "yjs";
import { addObservation, addTheory } from "./investigation.ts";
import type { Actor } from "./schema.ts";
import { appendTimelineEntry } from "./timeline.ts";
import type { TimelineKind } from "./vocabulary.ts";

/**
 * Kinds a person adds by hand from the timeline's quick-add (and a chat command).
 * The others (chat, status, severity, role, change, comms…) are recorded by the
 * action that causes them.
 */
export const QUICK_KINDS = [
  "note",
  "observation",
  "theory",
  "decision",
  "alert",
] as const satisfies readonly TimelineKind[];
export type QuickKind = (typeof QUICK_KINDS)[number];

export const QUICK_KIND_LABELS: Record<QuickKind, string> = {
  note: "Note",
  observation: "Observation",
  theory: "Theory",
  decision: "Decision",
  alert: "Alert",
};

/**
 * Adds what a person typed: an observation or a theory becomes its record (and
 * lands on the timeline linked to it); anything else is a timeline entry. A
 * `streamId` tags whichever it is with that work stream.
 */
export function quickAdd(
  doc: Y.Doc,
  kind: QuickKind,
  text: string,
  actor: Actor,
  options: { pinned?: boolean; at?: string; streamId?: string } = {},
  now: Date = new Date(),
): string {
  const record = {
    author: actor.name,
    source: actor.source,
    text,
    at: options.at,
    streamId: options.streamId,
  };
  if (kind === "observation") return addObservation(doc, record, now);
  if (kind === "theory") return addTheory(doc, record, now);
  return appendTimelineEntry(
    doc,
    {
      author: actor.name,
      source: actor.source,
      kind,
      text,
      pinned: options.pinned ?? kind === "decision",
      at: options.at,
      streamId: options.streamId,
    },
    now,
  ).id;
}
