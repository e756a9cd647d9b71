import { TIME_INPUT_HINT } from "#shared/timeInput.ts";
import { useClock } from "../../clock.ts";
import { InlineError } from "../InlineError.tsx";

/**
 * A time typed the way responders think of it ("14:05", "14:05 UTC", "10 min ago"),
 * read in the page's chosen zone. While it reads, the time it stands for is shown
 * beside it, so "10 min ago" is checked before it is saved; `error` is what the last
 * attempt to save was told (the caller parses again then, with the clock of that moment).
 */
export function TypedTimeInput({
  value,
  onChange,
  label,
  testId,
  error,
  placeholder,
  className = "tl-time-input",
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  testId: string;
  error: string | null;
  placeholder?: string;
  className?: string;
}) {
  const clock = useClock();
  const parsed = value.trim() ? clock.parse(value, "past") : null;
  const hintId = `${testId}-hint`;
  return (
    <span className="tl-time">
      <input
        className={className}
        aria-label={label}
        aria-describedby={hintId}
        aria-invalid={error ? true : undefined}
        data-testid={testId}
        value={value}
        placeholder={placeholder}
        title={`Like ${TIME_INPUT_HINT} (${clock.label})`}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
      />
      {parsed?.ok ? (
        <span className="tl-time-preview muted" id={hintId} data-testid={`${testId}-preview`}>
          = {clock.format(parsed.at, { withDate: true })}
          {clock.zone === "utc" ? " UTC" : ""}
        </span>
      ) : (
        <span className="sr-only" id={hintId}>
          Type it like {TIME_INPUT_HINT}; a time without a zone is {clock.label}.
        </span>
      )}
      <InlineError error={error} testId={`${testId}-error`} />
    </span>
  );
}
