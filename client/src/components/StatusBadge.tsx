import type { Status } from "#shared/doc/index.ts";

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  return (
    <span className={`badge status status-${status}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}
