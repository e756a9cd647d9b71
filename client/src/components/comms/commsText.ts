import type { UpdateDraft } from "#shared/comms/drafts.ts";
import { draftExternalUpdate, draftInternalUpdate } from "#shared/comms/drafts.ts";
import {
  CommsInput,
  type CommsUpdate,
  type IncidentDocument,
  maxLengthOf,
} from "#shared/doc/index.ts";

/** Pure helpers for the comms section: the editor's local state, the plain-text preview, error messages. */

export type Audience = CommsUpdate["audience"];

/** What one draft editor holds. Bullets are kept as text, one per line, so typing a blank line is not lost. */
export interface DraftState {
  audience: Audience;
  title: string;
  summary: string;
  currentStatus: string;
  nextSteps: string;
  nextUpdate: string;
  channel: string;
  /** The saved draft in the document this editor is working on, if any: saving then edits it instead of adding another. */
  editingId: string | null;
  /** What the document said when this was seeded, to tell the editor when it has moved on. */
  seededFrom: string;
}

/** The fields of an update as they are written and previewed. */
export interface UpdateFields {
  title: string;
  summary: string;
  currentStatus: string[];
  nextSteps: string[];
  nextUpdate: string;
  channel: string;
}

/** Where each audience's updates usually go (the handbook: Statuspage and email internally, Statuspage externally). */
export const DEFAULT_CHANNEL: Record<Audience, string> = {
  internal: "Internal Statuspage + email",
  external: "External Statuspage",
};

/** The handbook's limits for each section, shown as hints, never enforced. */
export const BULLET_RANGE: Record<Audience, { min: number; max: number }> = {
  internal: { min: 2, max: 4 },
  external: { min: 0, max: 2 },
};
export const SENTENCE_LIMIT = 2;

/** Limits of the comms record's text fields, put on the inputs so the browser stops at them. */
export const MAX = {
  title: maxLengthOf(CommsInput.shape.title),
  summary: maxLengthOf(CommsInput.shape.summary),
  nextUpdate: maxLengthOf(CommsInput.shape.nextUpdate),
  channel: maxLengthOf(CommsInput.shape.channel),
};

export function draftFor(
  incident: IncidentDocument,
  audience: Audience,
  nextUpdate?: string,
): UpdateDraft {
  return audience === "internal"
    ? draftInternalUpdate(incident, nextUpdate)
    : draftExternalUpdate(incident, nextUpdate);
}

/** The part of a prefilled draft that comes from the document. */
export function draftSignature(draft: UpdateDraft): string {
  return JSON.stringify([draft.title, draft.summary, draft.currentStatus, draft.nextSteps]);
}

/**
 * A fresh editor state from the document. The next update and the channel are
 * the editor's own choices, so a refresh keeps them when given.
 */
export function seedDraft(
  incident: IncidentDocument,
  audience: Audience,
  keep?: Pick<DraftState, "nextUpdate" | "channel">,
): DraftState {
  const draft = draftFor(incident, audience, keep?.nextUpdate);
  return {
    audience,
    title: draft.title,
    summary: draft.summary,
    currentStatus: fromLines(draft.currentStatus),
    nextSteps: fromLines(draft.nextSteps),
    nextUpdate: draft.nextUpdate,
    channel: keep?.channel ?? DEFAULT_CHANNEL[audience],
    editingId: null,
    seededFrom: draftSignature(draft),
  };
}

/** Opens a saved draft from the document in the editor. */
export function stateFromRecord(record: CommsUpdate, incident: IncidentDocument): DraftState {
  return {
    audience: record.audience,
    title: record.title,
    summary: record.summary,
    currentStatus: fromLines(record.currentStatus),
    nextSteps: fromLines(record.nextSteps),
    nextUpdate: record.nextUpdate,
    channel: record.channel,
    editingId: record.id,
    seededFrom: draftSignature(draftFor(incident, record.audience, record.nextUpdate)),
  };
}

/** One bullet per non-empty line; a leading "-", "*" or "•" typed out of habit is dropped. */
function toLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/^\s*[-*•]\s+/, "").trim())
    .filter((line) => line.length > 0);
}

function fromLines(lines: string[]): string {
  return lines.join("\n");
}

export function toFields(state: DraftState): UpdateFields {
  return {
    title: state.title.trim(),
    summary: state.summary.trim(),
    currentStatus: toLines(state.currentStatus),
    nextSteps: toLines(state.nextSteps),
    nextUpdate: state.nextUpdate.trim(),
    channel: state.channel.trim(),
  };
}

/** Rough sentence count for the "1–2 sentences" hint. */
export function countSentences(text: string): number {
  return text
    .split(/[.!?]+(?:\s+|$)/)
    .map((s) => s.trim())
    .filter(Boolean).length;
}
