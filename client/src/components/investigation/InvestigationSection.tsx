import { useState } from "react";
import type { IncidentDocument } from "#shared/doc/index.ts";
import type { SectionProps } from "../sectionProps.ts";
import { inStreamFilter, useStreams } from "../streams/StreamsContext.tsx";
import { AddExperimentForm } from "./AddExperimentForm.tsx";
import { AddObservationForm } from "./AddObservationForm.tsx";
import { AddTheoryForm } from "./AddTheoryForm.tsx";
import { ExperimentCard } from "./ExperimentCard.tsx";
import { ObservationCard } from "./ObservationCard.tsx";
import { TheoryCard } from "./TheoryCard.tsx";
import "./investigation.css";

type Kind = "observation" | "theory" | "experiment";
type Focus = { kind: Kind; id: string } | null;

/**
 * The handbook's loop — observe → theorise → experiment → repeat — as three linked
 * columns. Hovering a card lights up the cards it is linked to in the other columns.
 * Read-only viewers get the same picture with no controls at all. The page's stream
 * filter narrows the columns; links to records of other streams still read in full.
 */
export function InvestigationSection({ incident, doc, actor, readOnly }: SectionProps) {
  const { observations, theories, experiments } = incident;
  const [focus, setFocus] = useState<Focus>(null);
  const streams = useStreams();
  const shown = <T extends { streamId?: string }>(records: T[]) =>
    records.filter((r) => inStreamFilter(r, streams));
  const theoryById = new Map(theories.map((t) => [t.id, t]));
  const related = relatedTo(focus, incident);
  const highlight = (kind: Kind, id: string) =>
    focus?.kind === kind && focus.id === id
      ? "focused"
      : related.has(`${kind}:${id}`)
        ? "related"
        : null;
  const hover = (kind: Kind) => (id: string | null) => setFocus(id === null ? null : { kind, id });
  const candidates = theories.filter((t) => t.state === "confirmed").length;

  return (
    <section
      className="panel inv"
      id="investigation"
      data-testid="investigation"
      aria-labelledby="investigation-title"
    >
      <div className="panel-head">
        <h2 id="investigation-title">Investigation</h2>
        <span className="muted inv-summary">
          {candidates > 0 && (
            <span className="inv-root-cause" data-testid="root-cause-count">
              {candidates} root-cause {candidates === 1 ? "candidate" : "candidates"}
            </span>
          )}
          observe → theorise → experiment
        </span>
      </div>
      <div className="inv-columns">
        <section className="inv-column" aria-labelledby="observations-title">
          <h3 id="observations-title">
            Observations <span className="inv-count">{shown(observations).length}</span>
          </h3>
          {shown(observations).length === 0 && (
            <p className="muted inv-empty">Nothing observed yet.</p>
          )}
          {shown(observations).map((observation) => (
            <ObservationCard
              key={observation.id}
              observation={observation}
              supports={theories.filter((t) => t.observationIds.includes(observation.id))}
              doc={doc}
              readOnly={readOnly}
              highlight={highlight("observation", observation.id)}
              onHover={hover("observation")}
            />
          ))}
          {!readOnly && <AddObservationForm doc={doc} actor={actor} />}
        </section>

        <section className="inv-column" aria-labelledby="theories-title">
          <h3 id="theories-title">
            Theories <span className="inv-count">{shown(theories).length}</span>
          </h3>
          {shown(theories).length === 0 && <p className="muted inv-empty">No theory yet.</p>}
          {shown(theories).map((theory) => (
            <TheoryCard
              key={theory.id}
              theory={theory}
              observations={observations}
              experiments={experiments.filter((e) => e.theoryId === theory.id)}
              doc={doc}
              actor={actor}
              readOnly={readOnly}
              highlight={highlight("theory", theory.id)}
              onHover={hover("theory")}
            />
          ))}
          {!readOnly && <AddTheoryForm doc={doc} actor={actor} observations={observations} />}
        </section>

        <section className="inv-column" aria-labelledby="experiments-title">
          <h3 id="experiments-title">
            Experiments <span className="inv-count">{shown(experiments).length}</span>
          </h3>
          {shown(experiments).length === 0 && <p className="muted inv-empty">Nothing tried yet.</p>}
          {shown(experiments).map((experiment) => (
            <ExperimentCard
              key={experiment.id}
              experiment={experiment}
              theory={experiment.theoryId ? theoryById.get(experiment.theoryId) : undefined}
              doc={doc}
              actor={actor}
              readOnly={readOnly}
              highlight={highlight("experiment", experiment.id)}
              onHover={hover("experiment")}
            />
          ))}
          {!readOnly && <AddExperimentForm doc={doc} actor={actor} theories={theories} />}
        </section>
      </div>
    </section>
  );
}

/** The cards linked to the focused one, as `kind:id` keys: its evidence, its theories, its tests. */
function relatedTo(focus: Focus, incident: IncidentDocument): Set<string> {
  const keys = new Set<string>();
  if (!focus) return keys;
  const { theories, experiments } = incident;
  const addTheory = (theoryId: string, withObservations: boolean) => {
    keys.add(`theory:${theoryId}`);
    for (const e of experiments) if (e.theoryId === theoryId) keys.add(`experiment:${e.id}`);
    const theory = theories.find((t) => t.id === theoryId);
    if (theory && withObservations)
      for (const id of theory.observationIds) keys.add(`observation:${id}`);
  };
  if (focus.kind === "observation") {
    for (const t of theories) if (t.observationIds.includes(focus.id)) addTheory(t.id, false);
  } else if (focus.kind === "theory") {
    addTheory(focus.id, true);
  } else {
    const theoryId = experiments.find((e) => e.id === focus.id)?.theoryId;
    if (theoryId) addTheory(theoryId, true);
  }
  return keys;
}
