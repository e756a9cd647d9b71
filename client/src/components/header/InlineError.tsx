import "./header.css";

/** Turns what an accessor threw into one readable line, and shows it next to the control that caused it. */

/** An inline error line (a block-level span, so it may sit inside headings and labels); nothing when there is no message. */
export function InlineError({
  message,
  testId = "inline-error",
}: {
  message: string | null;
  testId?: string;
}) {
  if (!message) return null;
  return (
    <span className="error ih-error" role="alert" data-testid={testId}>
      {message}
    </span>
  );
}
