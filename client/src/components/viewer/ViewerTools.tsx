import { ExportMenu } from "../ExportMenu.tsx";
import "./viewer.css";
import { HistoryBar } from "../HistoryBar.tsx";

/**
 * Time travel and export for a stakeholder: useful now and then, never what they came
 * for, so they sit after the incident rather than above it.
 */
export function ViewerTools({
  incidentKey,
  at,
  onChange,
}: {
  incidentKey: string;
  at: string | null;
  onChange: (at: string | null) => void;
}) {
  return (
    <section
      className="panel viewer-tools"
      aria-labelledby="viewer-tools-title"
      data-testid="viewer-tools"
    >
      <h2 id="viewer-tools-title">History and export</h2>
      <div className="page-tools">
        <HistoryBar incidentKey={incidentKey} at={at} onChange={onChange} />
        <ExportMenu incidentKey={incidentKey} at={at} />
      </div>
    </section>
  );
}
