import {
  durations,
  type IncidentDocument,
  IncidentFieldsInput,
  maxLengthOf,
  setIncidentFields,
} from "#shared/doc/index.ts";
import type { SectionProps } from "../sectionProps.ts";
import { EditableField } from "./EditableField.tsx";
import { TimeField } from "./TimeField.tsx";
import "./header.css";

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

const LONG_DATE: Intl.DateTimeFormatOptions = {
  weekday: "short",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
};

function formatInstant(iso: string | null): string {
  if (!iso) return "unknown";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "unknown";
  const otherYear = date.getFullYear() !== new Date().getFullYear();
  return date.toLocaleString(undefined, otherYear ? { ...LONG_DATE, year: "numeric" } : LONG_DATE);
}

function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return "local time";
  }
}

/**
 * Start of impact, detection and end of impact (in the browser's time zone), and the
 * handbook's assessment questions. Unanswered questions read "unknown", never blank.
 */
export function TimesPanel({ incident, doc, actor, readOnly }: SectionProps) {
  const { times, assessment } = incident;
  const { ttdMs } = durations(times);
  const warnings: string[] = [];
  if (ttdMs !== null && ttdMs < 0) warnings.push("Detection is before the start of impact.");
  if (times.startedAt && times.endedAt && Date.parse(times.endedAt) < Date.parse(times.startedAt))
    warnings.push("End of impact is before its start.");
  if ((incident.status === "resolved" || incident.status === "closed") && !times.endedAt)
    warnings.push("Resolved, but the end of impact is unknown.");
  if (!times.startedAt) warnings.push(`Start of impact unknown: TTD and TTR stay unknown.`);

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
        Times <span className="muted ih-tz">{timeZoneName()}</span>
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
                  {formatInstant(times[key])}
                </time>
              ) : (
                <TimeField
                  value={times[key]}
                  label={label}
                  testId={testId}
                  onCommit={(iso) => saveTime(key, iso)}
                />
              )}
            </dd>
          </div>
        ))}
      </dl>
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
