import { useEffect, useState } from "react";
import type * as Y from "yjs";
import {
  type IncidentDocument,
  isIncident,
  onlyNotesChanged,
  readIncident,
} from "#shared/doc/index.ts";

/**
 * The incident as plain data, re-read after document updates — at most once per
 * animation frame, however many updates arrive, and not at all for keystrokes in the
 * notes (the editor renders those itself). Null until the document holds an incident.
 */
export function useIncidentState(doc: Y.Doc | null): IncidentDocument | null {
  const [incident, setIncident] = useState<IncidentDocument | null>(null);

  useEffect(() => {
    if (!doc) {
      setIncident(null);
      return;
    }
    let frame = 0;
    const read = () => {
      frame = 0;
      setIncident(isIncident(doc) ? readIncident(doc) : null);
    };
    const schedule = (transaction: Y.Transaction) => {
      if (onlyNotesChanged(doc, transaction)) return;
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    read();
    doc.on("afterTransaction", schedule);
    return () => {
      doc.off("afterTransaction", schedule);
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [doc]);

  return incident;
}
