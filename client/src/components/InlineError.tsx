import { describeError } from "#shared/errors.ts";

/**
 * What a refused write threw, as one readable line next to the control that caused
 * it; nothing when there is no error. A block-level span, so it may sit inside
 * headings, labels and table cells. `labels` name the fields as the form does.
 */
export function InlineError({
  error,
  labels,
  testId = "inline-error",
}: {
  /** What the write threw, or a line already written for people (null: no error). */
  error: unknown;
  labels?: Record<string, string>;
  testId?: string;
}) {
  if (error === null || error === undefined || error === "") return null;
  return (
    <span className="error inline-error" role="alert" data-testid={testId}>
      {describeError(error, labels)}
    </span>
  );
}
