import type * as Y from "yjs";
import type { Actor, TimelineEntry } from "../../../shared/doc/index.ts";
import { QuickAddForm } from "./QuickAddForm.tsx";
import { TimelineEntryRow } from "./TimelineEntryRow.tsx";

/** The timeline in time order (the shared reader sorts it), with the quick-add form below. */
export function Timeline({
  entries,
  doc,
  actor,
  readOnly,
}: {
  entries: TimelineEntry[];
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
}) {
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {entries.map((entry) => (
          <TimelineEntryRow key={entry.id} entry={entry} />
        ))}
      </ol>
      {!readOnly && <QuickAddForm doc={doc} actor={actor} />}
    </section>
  );
}
