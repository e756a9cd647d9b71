import type * as Y from "yjs";
import type { Actor, IncidentDocument } from "#shared/doc/index.ts";

/** What every section of the incident page gets: the document read as data, the doc to write through accessors, who acts, and whether they may. */
export interface SectionProps {
  incident: IncidentDocument;
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
}
