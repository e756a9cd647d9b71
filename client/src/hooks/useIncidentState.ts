import { useEffect, useState } from "react";
import type * as Y from "yjs";
import { type IncidentDocument, isIncident, readIncident } from "../../../shared/doc/index.ts";

/**
 * The incident as plain data, re-read after document updates — at most once per
 * animation frame, however many updates arrive. Null until the document holds an incident.
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
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    read();
    doc.on("update", schedule);
    return () => {
      doc.off("update", schedule);
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [doc]);

  return incident;
}
