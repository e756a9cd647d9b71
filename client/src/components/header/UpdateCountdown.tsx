import { useMemo } from "react";
import { latestSentUpdate, nextUpdateDue } from "#shared/comms/nextUpdate.ts";
import type { CommsUpdate, Status } from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";
import { useNow } from "../../hooks/useNow.ts";
import "./paging.css";

const LABELS = { internal: "Internal", external: "External" } as const;

/** "12 min", "1 h 05 min", "less than a minute". */
function span(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 60_000);
  if (total < 1) return "less than a minute";
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h ${String(total % 60).padStart(2, "0")} min`;
}

/**
 * "Internal update due in 12 min" / "… overdue by 3 min", per audience that has had an
 * update sent, while the incident is active. The due time is the one the last update
 * promised ("Next update: 14:30"), else its send time plus the cadence. Ticks every
 * second on its own, so only this line re-renders.
 */
export function UpdateCountdown({ comms, status }: { comms: CommsUpdate[]; status: Status }) {
  const clock = useClock();
  const now = useNow();
  // Reading the "next update" line parses text: once per change, not once per tick.
  const lines = useMemo(
    () =>
      (["internal", "external"] as const).flatMap((audience) => {
        const latest = latestSentUpdate(comms, audience);
        return latest ? [{ audience, due: nextUpdateDue(latest, clock.zone) }] : [];
      }),
    [comms, clock.zone],
  );
  if ((status !== "new" && status !== "fixing") || lines.length === 0) return null;
  return (
    <span className="update-countdown">
      {lines.map(({ audience, due }) => {
        const left = due.at.getTime() - now.getTime();
        const overdue = left < 0;
        const iso = due.at.toISOString();
        return (
          <span
            key={audience}
            className={overdue ? "overdue" : undefined}
            data-testid={`update-countdown-${audience}`}
            data-due={iso}
            data-state={overdue ? "overdue" : "due"}
            title={`${due.basis === "stated" ? "As the last update said" : "The update cadence"}: due at ${clock.format(due.at)}`}
          >
            {LABELS[audience]} update{" "}
            {overdue ? `overdue by ${span(left)}` : `due in ${span(left)}`}
          </span>
        );
      })}
    </span>
  );
}
