import { since } from "#shared/comms/drafts.ts";
import { UPDATE_CADENCE_MS } from "#shared/comms/nextUpdate.ts";
import type { CommsUpdate, Status } from "#shared/doc/index.ts";
import { useNow } from "../../hooks/useNow.ts";

/** "Last internal update sent 12m 05s ago", ticking. Its own component so only this line re-renders every second. */
export function CommsCadence({ comms, status }: { comms: CommsUpdate[]; status: Status }) {
  const now = useNow();
  const active = status !== "resolved" && status !== "closed";
  return (
    <p className="comms-cadence">
      {(["internal", "external"] as const).map((audience) => {
        const sentAt = lastSent(comms, audience);
        const overdue =
          active &&
          audience === "internal" &&
          (!sentAt || now.getTime() - Date.parse(sentAt) > UPDATE_CADENCE_MS);
        return (
          <span
            key={audience}
            className={overdue ? "warn" : undefined}
            data-testid={`comms-last-${audience}`}
            title={overdue ? "No internal update in the last 30 minutes" : undefined}
          >
            {sentAt ? (
              <>
                Last {audience} update sent{" "}
                <strong className="mono">{since(sentAt, notBefore(now, sentAt))}</strong> ago
              </>
            ) : (
              <>No {audience} update sent yet</>
            )}
          </span>
        );
      })}
    </p>
  );
}

function lastSent(comms: CommsUpdate[], audience: CommsUpdate["audience"]): string | undefined {
  let last: string | undefined;
  for (const c of comms) {
    if (c.audience === audience && c.state === "sent" && c.sentAt && (!last || c.sentAt > last))
      last = c.sentAt;
  }
  return last;
}

/** The clock ticks once a second, so an update sent a moment ago can be later than `now`: never show "-0s". */
function notBefore(now: Date, iso: string): Date {
  const at = Date.parse(iso);
  return Number.isNaN(at) || now.getTime() >= at ? now : new Date(at);
}
