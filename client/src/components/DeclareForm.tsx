import { type FormEvent, useId, useRef, useState } from "react";
import {
  IncidentCreateInput,
  maxLengthOf,
  SEVERITIES,
  SEVERITY_INFO,
  type Severity,
  UNKNOWN_SERVICE,
} from "#shared/doc/index.ts";
import { ApiError, type DeclaredIncident, declareIncident } from "../api.ts";
import { useClock } from "../clock.ts";
import "./header/times.css";

/**
 * Declares an incident over REST; the handbook's meaning of each severity is shown next
 * to it. It asks when impact started, typed in the page's clock ("20 min ago", "14:05"):
 * left empty, the start is "not known yet", the incident page keeps asking for it, and
 * resolving asks again, so TTD and TTR are never unknown only because nobody asked.
 */
export function DeclareForm({ onDeclared }: { onDeclared: (incident: DeclaredIncident) => void }) {
  const clock = useClock();
  const ids = useId();
  const startedInput = useRef<HTMLInputElement>(null);
  const [started, setStarted] = useState("");
  const [startedError, setStartedError] = useState<string | null>(null);
  const [summary, setSummary] = useState("");
  const [severity, setSeverity] = useState<Severity | null>(null);
  const [description, setDescription] = useState("");
  const [service, setService] = useState(UNKNOWN_SERVICE);
  const [products, setProducts] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!summary.trim() || severity === null) return;
    let startedAt: string | undefined;
    if (started.trim() !== "") {
      const parsed = clock.parse(started, "past");
      if (!parsed.ok) {
        setStartedError(parsed.message);
        startedInput.current?.focus();
        return;
      }
      startedAt = parsed.at.toISOString();
    }
    setBusy(true);
    setError(null);
    try {
      const incident = await declareIncident({
        summary: summary.trim(),
        severity,
        ...(startedAt ? { startedAt } : {}),
        description: description.trim() || undefined,
        service: service.trim() || UNKNOWN_SERVICE,
        products: products
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
      });
      onDeclared(incident);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, "internal", String(reason)));
      setBusy(false);
    }
  };

  return (
    <form className="declare stack" data-testid="declare-form" onSubmit={submit}>
      <h2>Declare incident</h2>
      <label>
        What&apos;s the emergency?
        <input
          data-testid="declare-summary"
          value={summary}
          maxLength={maxLengthOf(IncidentCreateInput.shape.summary)}
          required
          placeholder="Checkout fails for EU customers"
          onChange={(e) => setSummary(e.target.value)}
        />
      </label>
      <fieldset className="severities" data-testid="declare-severity">
        <legend>Severity</legend>
        {SEVERITIES.map((level) => {
          const info = SEVERITY_INFO[level];
          return (
            <label key={level} className={`severity-option sev-option-${level}`}>
              <input
                type="radio"
                name="severity"
                value={level}
                data-testid={`declare-severity-${level}`}
                checked={severity === level}
                onChange={() => setSeverity(level)}
              />
              <span>
                <strong>
                  {level} — {info.label}
                </strong>
                : {info.meaning}. <span className="muted">{info.examples.join("; ")}.</span>{" "}
                <em className="muted">
                  {info.pagesNow ? "Pages people now." : "Waits for business hours."}
                </em>
              </span>
            </label>
          );
        })}
      </fieldset>
      <div className="stack tm-declare-started">
        <label htmlFor={`${ids}-started`}>
          {/* One run of text: the form's labels stack their children. */}
          <span>
            Impact started <span className="muted">· {clock.label}</span>
          </span>
        </label>
        <input
          ref={startedInput}
          id={`${ids}-started`}
          type="text"
          autoComplete="off"
          spellCheck={false}
          data-testid="declare-started"
          placeholder="not known yet — e.g. 20 min ago or 14:05"
          value={started}
          aria-invalid={startedError ? true : undefined}
          aria-describedby={[startedError ? `${ids}-started-error` : "", `${ids}-started-note`]
            .filter(Boolean)
            .join(" ")}
          onChange={(e) => {
            setStarted(e.target.value);
            setStartedError(null);
          }}
        />
        <span className="muted tm-hint" id={`${ids}-started-note`}>
          When customers were first affected. Leave it empty if nobody knows yet: the page asks
          again, and so does Resolve.
        </span>
        {startedError && (
          <span
            className="error inline-error"
            role="alert"
            id={`${ids}-started-error`}
            data-testid="declare-started-error"
          >
            {startedError}
          </span>
        )}
      </div>
      <label>
        Impact on customers
        <textarea
          data-testid="declare-description"
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <div className="row">
        <label>
          Faulty service
          <input
            data-testid="declare-service"
            value={service}
            maxLength={maxLengthOf(IncidentCreateInput.shape.service)}
            onChange={(e) => setService(e.target.value)}
          />
        </label>
        <label>
          Affected products <span className="muted">(comma-separated)</span>
          <input
            data-testid="declare-products"
            value={products}
            onChange={(e) => setProducts(e.target.value)}
          />
        </label>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="declare-error" data-code={error.code}>
          {error.field ? `${error.field}: ` : ""}
          {error.message}
        </p>
      )}
      <button
        type="submit"
        className="primary"
        data-testid="declare-submit"
        disabled={busy || !summary.trim() || severity === null}
      >
        {busy ? "Declaring…" : "Declare incident"}
      </button>
    </form>
  );
}
