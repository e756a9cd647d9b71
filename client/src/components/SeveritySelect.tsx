import type * as Y from "yjs";
import {
  type Actor,
  SEVERITIES,
  SEVERITY_INFO,
  type Severity,
  setSeverity,
} from "#shared/doc/index.ts";

/** Changes the severity in the document; the change lands on the timeline as a key event. */
export function SeveritySelect({
  doc,
  severity,
  actor,
}: {
  doc: Y.Doc;
  severity: Severity;
  actor: Actor;
}) {
  return (
    <select
      aria-label="Severity"
      data-testid="severity-select"
      value={severity}
      onChange={(e) => setSeverity(doc, Number(e.target.value) as Severity, actor)}
    >
      {SEVERITIES.map((level) => (
        <option key={level} value={level} title={SEVERITY_INFO[level].meaning}>
          {level} — {SEVERITY_INFO[level].label}
        </option>
      ))}
    </select>
  );
}
