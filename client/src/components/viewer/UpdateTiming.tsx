import { nextUpdateDue } from "#shared/comms/nextUpdate.ts";
import type { CommsUpdate } from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";
import { useNow } from "../../hooks/useNow.ts";

/**
 * Minute-grained relative times for stakeholders ("in 12 min", "3 min ago"). These
 * lines tick on their own, so only they re-render, every 15 seconds.
 */
const TICK_MS = 15_000;

/** "12 min", "1 h 05 min", "less than a minute". */
function minutes(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 60_000);
  if (total < 1) return "less than a minute";
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h ${String(total % 60).padStart(2, "0")} min`;
}

/** "(12 min ago)" after a sent time. */
export function SentAgo({ iso }: { iso: string }) {
  const now = useNow(TICK_MS);
  const ms = now.getTime() - Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return <span className="sh-ago">({ms < 60_000 ? "just now" : `${minutes(ms)} ago`})</span>;
}

/**
 * "Next update by 14:30 (in 12 min)", or overdue once that has passed. The time comes from
 * the update's own "next update" line when it names one, else from the update cadence.
 * Once the incident is resolved no further update is promised.
 */
export function NextUpdateLine({ update, active }: { update: CommsUpdate; active: boolean }) {
  const clock = useClock();
  const now = useNow(TICK_MS);
  if (!active) {
    return (
      <p className="sh-next" data-testid="stakeholder-next-update" data-state="none">
        No further updates are scheduled: the incident is resolved.
      </p>
    );
  }
  const due = nextUpdateDue(update, clock.zone);
  const left = due.at.getTime() - now.getTime();
  const overdue = left < 0;
  const stated = update.nextUpdate.trim();
  return (
    <p
      className={`sh-next${overdue ? " sh-overdue" : ""}`}
      data-testid="stakeholder-next-update"
      data-state={overdue ? "overdue" : "due"}
      data-due={due.at.toISOString()}
    >
      {overdue ? (
        <strong>Next update overdue: </strong>
      ) : (
        // A time from the cadence is an expectation, not a promise the team made.
        <strong>Next update {due.basis === "stated" ? "by" : "expected by"} </strong>
      )}
      {overdue && "it was due at "}
      <time dateTime={due.at.toISOString()} className="mono">
        {clock.format(due.at)}
      </time>{" "}
      <span className="sh-ago">({overdue ? `${minutes(left)} ago` : `in ${minutes(left)}`})</span>
      {stated && <span className="sh-stated"> · “{stated}”</span>}
    </p>
  );
}
