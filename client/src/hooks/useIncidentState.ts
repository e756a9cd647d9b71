import { useEffect, useState } from "react";
import { flushSync } from "react-dom";
import type * as Y from "yjs";
import type { IncidentDocument } from "#shared/doc/index.ts";
import { IncidentReader } from "./incidentReader.ts";

/** The name of the Performance API measure around each re-read and the render it causes. */
const UPDATE_MEASURE = "hotdoc:incident-update";

/**
 * The incident as plain data, re-read after document updates — at most once per
 * animation frame, however many updates arrive, and not at all for keystrokes in the
 * notes (the editor renders those itself). Only what changed is re-read (see
 * `IncidentReader`), and sections nothing touched keep their identity, so memoised
 * components skip them. Null until the document holds an incident.
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
      const start = performance.now();
      const next = reader.read();
      // Rendered here rather than in a later task, so the measure covers the render and
      // a frame shows the update it was scheduled for.
      flushSync(() => setIncident(next));
      performance.measure(UPDATE_MEASURE, { start });
    };
    const reader = new IncidentReader(doc, () => {
      if (frame === 0) frame = requestAnimationFrame(read);
    });
    setIncident(reader.read());
    return () => {
      reader.destroy();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [doc]);

  return incident;
}
