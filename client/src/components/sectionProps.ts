import { createContext, type RefObject } from "react";
import type * as Y from "yjs";
import type { Actor, IncidentDocument, TimelineEntry } from "#shared/doc/index.ts";

/** What every section of the incident page gets: the document read as data, the doc to write through accessors, who acts, and whether they may. */
export interface SectionProps {
  incident: IncidentDocument;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
}

/**
 * For `memo` on a section that does not show the timeline: a read of the incident that
 * differs from the last only in its timeline (a chat message came in) leaves the section
 * as it is. Every field a change did not reach keeps its identity between reads (see
 * IncidentReader), so comparing them is cheap.
 */
export function sameBesidesTimeline(a: SectionProps, b: SectionProps): boolean {
  if (a.doc !== b.doc || a.actor !== b.actor || a.readOnly !== b.readOnly) return false;
  for (const key of Object.keys(b.incident) as (keyof IncidentDocument)[])
    if (key !== "timeline" && a.incident[key] !== b.incident[key]) return false;
  return true;
}

/**
 * The newest timeline, for a section memoised with `sameBesidesTimeline` that still
 * needs it now and then (the role form's name suggestions): read when needed, it never
 * re-renders the section.
 */
export const LatestTimeline = createContext<RefObject<TimelineEntry[]>>({ current: [] });
