import { useId } from "react";
import {
  durations,
  formatDuration,
  type IncidentDocument,
  IncidentFieldsInput,
  maxLengthOf,
  setIncidentFields,
} from "#shared/doc/index.ts";
import { TIME_INPUT_HINT } from "#shared/timeInput.ts";
import { useClock } from "../../clock.ts";
import { useNow } from "../../hooks/useNow.ts";
import type { SectionProps } from "../sectionProps.ts";
import { EditableField } from "./EditableField.tsx";
import { TimeField } from "./TimeField.tsx";
import "./header.css";
import "./times.css";

type TimeKey = "startedAt" | "detectedAt" | "endedAt";
type AnswerKey = keyof IncidentDocument["assessment"];

const TIMES: { key: TimeKey; label: string; testId: string; hint: string }[] = [
  {
    key: "startedAt",
    label: "Start of impact",
    testId: "time-started",
    hint: "When customers were first affected",
  },
  { key: "detectedAt", label: "Detection", testId: "time-detected", hint: "When we noticed" },
  {
    key: "endedAt",
    label: "End of impact",
    testId: "time-ended",
    hint: "When the business impact ended",
  },
];

const QUESTIONS: { key: AnswerKey; label: string; placeholder: string }[] = [
  {
    key: "customersSeeing",
    label: "What do customers see?",
    placeholder: "unknown — e.g. checkout fails with 502",
  },
  {
    key: "customersAffected",
    label: "How many are affected?",
    placeholder: "unknown — e.g. ~5% of EU customers",
  },
  { key: "supportCases", label: "Support cases opened", placeholder: "unknown — e.g. 12 tickets" },
  {
    key: "otherFactors",
    label: "Other factors",
    placeholder: "unknown — social media, security, data loss?",
  },
];

/** TTD and TTR as the handbook defines them, live while impact goes on. */
function PanelDurations({ times, at }: { times: IncidentDocument["times"]; at?: string }) {
  const now = useNow(1000);
  // In the history view, an ongoing TTR is measured up to the instant shown, not to now.
  const { ttdMs, ttrMs, ttrOngoing } = durations(times, at ? new Date(at) : now);
  return (
    <p className="tm-durations">
      <span title="Time to detect: detection − start of impact">
        TTD <strong data-testid="times-ttd">{formatDuration(ttdMs)}</strong>
      </span>
      <span title="Time to resolve: end of impact − start of impact">
        TTR <strong data-testid="times-ttr">{formatDuration(ttrMs)}</strong>
        {ttrOngoing && <span className="muted"> (ongoing)</span>}
      </span>
    </p>
  );
}

/**
 * Start of impact, detection and end of impact (24-hour, in the page's one zone: the
 * reader's or UTC), TTD and TTR, and the handbook's assessment questions. Each time is
 * one typed field with one button, so the keyboard crosses the panel in a few stops.
 * Unknown times and unanswered questions read "unknown", never blank.
 */
export function TimesPanel({
  incident,
  doc,
  actor,
  readOnly,
  at,
}: SectionProps & { /** The instant shown, in the history view. */ at?: string }) {
  const clock = useClock();
  const hintId = useId();
  const { times, assessment } = incident;
  const { ttdMs } = durations(times);
  const warnings: string[] = [];
  if (ttdMs !== null && ttdMs < 0) warnings.push("Detection is before the start of impact.");
  if (times.startedAt && times.endedAt && Date.parse(times.endedAt) < Date.parse(times.startedAt))
    warnings.push("End of impact is before its start.");
  if ((incident.status === "resolved" || incident.status === "closed") && !times.endedAt)
    warnings.push("Resolved, but the end of impact is unknown: TTR stays unknown.");
  if (!times.startedAt)
    warnings.push(
      readOnly
        ? "Start of impact not known yet: TTD and TTR stay unknown until it is."
        : "When did impact start? Type it above (e.g. 40 min ago) so TTD and TTR can be measured.",
    );

  const saveTime = (key: TimeKey, iso: string | null) => {
    const patch: IncidentFieldsInput = {};
    patch[key] = iso;
    setIncidentFields(doc, patch, actor);
  };
  const saveAnswer = (key: AnswerKey, text: string) => {
    const patch: IncidentFieldsInput = {};
    patch[key] = text.trim();
    setIncidentFields(doc, patch, actor);
  };

  return (
    <section className="ih-panel times-panel" data-testid="times" aria-labelledby="ih-times-title">
      <h2 id="ih-times-title" className="ih-panel-title">
        Times{" "}
        <span className="muted ih-tz" data-testid="times-zone">
          {clock.label}
        </span>
      </h2>
      <dl className="ih-dl ih-times-dl">
        {TIMES.map(({ key, label, testId, hint }) => (
          <div key={key} className="ih-dl-row" data-field={key}>
            <dt title={hint}>{label}</dt>
            <dd>
              {readOnly ? (
                <time
                  data-testid={testId}
                  dateTime={times[key] ?? undefined}
                  title={times[key] ?? undefined}
                  className={times[key] ? "ih-num" : "ih-unknown"}
                >
                  {times[key] ? clock.format(times[key], { withDate: true }) : "unknown"}
                </time>
              ) : (
                <TimeField
                  value={times[key]}
                  label={label}
                  testId={testId}
                  hintId={hintId}
                  onCommit={(iso) => saveTime(key, iso)}
                />
              )}
            </dd>
          </div>
        ))}
      </dl>
      {!readOnly && (
        <p className="tm-hint muted" id={hintId}>
          Type {TIME_INPUT_HINT}; type now for the current time, or empty a field to clear it.
        </p>
      )}
      <PanelDurations times={times} at={at} />
      {warnings.length > 0 && (
        <ul className="ih-warnings" data-testid="times-warnings">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}

      <h3 className="ih-subtitle">Assessment</h3>
      <dl className="ih-dl ih-assessment" data-testid="assessment">
        {QUESTIONS.map(({ key, label, placeholder }) => {
          const answer = assessment[key];
          return (
            <div
              key={key}
              className="ih-dl-row ih-answer"
              data-field={key}
              data-known={Boolean(answer)}
            >
              <dt>{label}</dt>
              <dd>
                {readOnly ? (
                  <span data-testid={`assessment-${key}`} className={answer ? "pre" : "ih-unknown"}>
                    {answer || "unknown"}
                  </span>
                ) : (
                  <EditableField
                    value={answer}
                    label={label}
                    testId={`assessment-${key}`}
                    placeholder={placeholder}
                    maxLength={maxLengthOf(IncidentFieldsInput.shape[key])}
                    labels={{ [key]: label }}
                    className={answer ? undefined : "ih-field-unknown"}
                    onCommit={(text) => saveAnswer(key, text)}
                  />
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
