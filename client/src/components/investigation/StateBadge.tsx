import type { ExperimentState, TheoryState } from "#shared/doc/index.ts";

/** A theory's or experiment's state; the colour carries the meaning, the word says it. */
export function StateBadge({
  state,
  testId,
}: {
  state: TheoryState | ExperimentState;
  testId?: string;
}) {
  return (
    <span className={`badge inv-state inv-state-${state}`} data-testid={testId} data-state={state}>
      {state}
    </span>
  );
}
