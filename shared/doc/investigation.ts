import type * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import { newId, toInstant } from "./ids.ts";
import { byAt } from "./order.ts";
import { insertRecord, readRecord, updateRecord } from "./records.ts";
import {
  type Actor,
  type ChangeEntry,
  ChangeInput,
  ExperimentInput,
  ObservationInput,
  TheoryInput,
} from "./schema.ts";
import { assertStreamExists } from "./streamTags.ts";
import { appendTimelineEntry } from "./timeline.ts";
import type { ChangeState, ExperimentState, TheoryState } from "./vocabulary.ts";

/**
 * The change log and the observe → theorise → experiment loop. Every new record
 * also lands on the timeline, linked back to the record (the entry belongs to the
 * record's work stream, see streamTags.ts).
 */

/** Records a change (who changed what, how, why, and how to undo it). */
export function recordChange(doc: Y.Doc, input: ChangeInput, now: Date = new Date()): string {
  const { source, ...change } = ChangeInput.parse(input);
  assertStreamExists(doc, change.streamId);
  const id = newId();
  const at = toInstant(change.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "changes", { id, ...change, at, updatedAt: toInstant(now) });
    const revert = change.revertSteps
      ? ` — revert: ${change.revertSteps}`
      : " — no revert steps recorded";
    appendTimelineEntry(
      doc,
      {
        author: change.author,
        source,
        kind: "change",
        pinned: false,
        at,
        text: `Change (${change.state}): ${change.what}${change.how ? ` via ${change.how}` : ""}${revert}`,
        ref: { collection: "changes", id },
      },
      now,
    );
  });
  return id;
}

/** Moves a change to a new state (applied, reverted, superseded); the move lands on the timeline. */
export function setChangeState(
  doc: Y.Doc,
  id: string,
  state: ChangeState,
  actor: Actor,
  now: Date = new Date(),
): void {
  const change = requireRecord(readRecord(doc, "changes", id), "change", id);
  if (change.state === state) return;
  doc.transact(() => {
    updateRecord(doc, "changes", id, { state, updatedAt: toInstant(now) });
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "change",
        pinned: state === "reverted",
        text: `Change ${state}: ${change.what}`,
        ref: { collection: "changes", id },
      },
      now,
    );
  });
}

/** Changes that are applied and neither reverted nor superseded: "what do we still have to undo?". */
export function stillToRevert(changes: readonly ChangeEntry[]): ChangeEntry[] {
  return changes.filter((c) => c.state === "applied").sort(byAt);
}

export function addObservation(
  doc: Y.Doc,
  input: ObservationInput,
  now: Date = new Date(),
): string {
  const { source, ...observation } = ObservationInput.parse(input);
  assertStreamExists(doc, observation.streamId);
  const id = newId();
  const at = toInstant(observation.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "observations", { id, ...observation, at });
    appendTimelineEntry(
      doc,
      {
        author: observation.author,
        source,
        kind: "observation",
        at,
        text: observation.text,
        ref: { collection: "observations", id },
      },
      now,
    );
  });
  return id;
}

export function setObservationConfirmed(doc: Y.Doc, id: string, confirmed: boolean): void {
  requireRecord(readRecord(doc, "observations", id), "observation", id);
  updateRecord(doc, "observations", id, { confirmed });
}

export function addTheory(doc: Y.Doc, input: TheoryInput, now: Date = new Date()): string {
  const { source, ...theory } = TheoryInput.parse(input);
  assertStreamExists(doc, theory.streamId);
  for (const observationId of theory.observationIds) {
    requireRecord(readRecord(doc, "observations", observationId), "observation", observationId);
  }
  const id = newId();
  const at = toInstant(theory.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "theories", { id, ...theory, at });
    appendTimelineEntry(
      doc,
      {
        author: theory.author,
        source,
        kind: "theory",
        at,
        text: `Theory: ${theory.text}`,
        ref: { collection: "theories", id },
      },
      now,
    );
  });
  return id;
}

export function setTheoryState(
  doc: Y.Doc,
  id: string,
  state: TheoryState,
  actor: Actor,
  now: Date = new Date(),
): void {
  const theory = requireRecord(readRecord(doc, "theories", id), "theory", id);
  if (theory.state === state) return;
  doc.transact(() => {
    updateRecord(doc, "theories", id, { state });
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "theory",
        pinned: state === "confirmed",
        text: `Theory ${state}: ${theory.text}`,
        ref: { collection: "theories", id },
      },
      now,
    );
  });
}

export function addExperiment(doc: Y.Doc, input: ExperimentInput, now: Date = new Date()): string {
  const { source, ...experiment } = ExperimentInput.parse(input);
  assertStreamExists(doc, experiment.streamId);
  if (experiment.theoryId)
    requireRecord(readRecord(doc, "theories", experiment.theoryId), "theory", experiment.theoryId);
  const id = newId();
  const at = toInstant(experiment.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "experiments", { id, ...experiment, at });
    appendTimelineEntry(
      doc,
      {
        author: experiment.author,
        source,
        kind: "experiment",
        at,
        text: `Experiment (${experiment.state}): ${experiment.text}`,
        ref: { collection: "experiments", id },
      },
      now,
    );
  });
  return id;
}

export function setExperimentState(
  doc: Y.Doc,
  id: string,
  state: ExperimentState,
  actor: Actor,
  outcome?: string,
  now: Date = new Date(),
): void {
  const experiment = requireRecord(readRecord(doc, "experiments", id), "experiment", id);
  if (experiment.state === state && (outcome === undefined || outcome === experiment.outcome))
    return;
  doc.transact(() => {
    updateRecord(doc, "experiments", id, outcome === undefined ? { state } : { state, outcome });
    appendTimelineEntry(
      doc,
      {
        author: actor.name,
        source: actor.source,
        kind: "experiment",
        text: `Experiment ${state}: ${experiment.text}${outcome ? ` — outcome: ${outcome}` : ""}`,
        ref: { collection: "experiments", id },
      },
      now,
    );
  });
}

function requireRecord<T>(record: T | undefined, what: string, id: string): T {
  if (!record) throw new DocumentRuleError("record_not_found", `no ${what} with id ${id}`, "id");
  return record;
}
