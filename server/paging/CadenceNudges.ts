import { formatClock } from "#shared/clock.ts";
import { latestSentUpdate, nextUpdateDue } from "#shared/comms/nextUpdate.ts";
import type { IncidentDocument } from "#shared/doc/index.ts";
import type { DeliveryClaims } from "../bridge/DeliveryClaims.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { Audience } from "./types.ts";

/** How often active incidents are checked for an overdue update. */
const CHECK_EVERY_MS = 30_000;

/**
 * The update cadence's nudge: when an active incident's next update to an audience is
 * overdue (the time its last update promised, "Next update: 14:30 UTC" / "in 30
 * minutes", else the cadence after it; with no internal update at all, the cadence after
 * the declaration), the incident's rooms are told once per due time, naming the incident
 * manager. Once across processes (the nudge is claimed in the store).
 */
export class CadenceNudges {
  private readonly incidents: IncidentService;
  private readonly claims: DeliveryClaims;
  private readonly announce: (incident: string, lines: string[]) => void;
  private readonly cadenceMs: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(options: {
    incidents: IncidentService;
    claims: DeliveryClaims;
    announce: (incident: string, lines: string[]) => void;
    cadenceMinutes: number;
    logger: Logger;
  }) {
    this.incidents = options.incidents;
    this.claims = options.claims;
    this.announce = options.announce;
    this.cadenceMs = options.cadenceMinutes * 60_000;
    this.logger = options.logger;
  }

  start(everyMs: number = CHECK_EVERY_MS): void {
    this.timer = setInterval(() => void this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks every active incident once; nudges the overdue ones. */
  async check(now: Date = new Date()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const item of await this.incidents.list()) {
        if (!item.active) continue;
        const incident = await this.incidents.read(item.key);
        for (const due of overdueUpdates(incident, now, this.cadenceMs)) {
          const name = `nudge:${incident.key}:${due.audience}:${due.at.toISOString()}`;
          await this.claims.once(name, async () => {
            this.announce(incident.key, [nudgeText(incident, due, now)]);
          });
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, "update cadence check failed");
    } finally {
      this.running = false;
    }
  }
}

interface OverdueUpdate {
  audience: Audience;
  /** When the update was due. */
  at: Date;
  /** Whether any update went to this audience yet. */
  first: boolean;
}

/** The audiences whose next update is overdue at `now`. External only once it has had one. */
function overdueUpdates(incident: IncidentDocument, now: Date, cadenceMs: number): OverdueUpdate[] {
  const out: OverdueUpdate[] = [];
  for (const audience of ["internal", "external"] as const) {
    const last = latestSentUpdate(incident.comms, audience);
    if (last) {
      const due = nextUpdateDue(last, "utc");
      const at =
        due.basis === "cadence" ? new Date(Date.parse(last.sentAt ?? last.at) + cadenceMs) : due.at;
      if (now.getTime() > at.getTime()) out.push({ audience, at, first: false });
    } else if (audience === "internal" && incident.createdAt) {
      const at = new Date(Date.parse(incident.createdAt) + cadenceMs);
      if (now.getTime() > at.getTime()) out.push({ audience, at, first: true });
    }
  }
  return out;
}

function nudgeText(incident: IncidentDocument, due: OverdueUpdate, now: Date): string {
  const who = incident.incidentManager ? `${incident.incidentManager}: ` : "";
  const late = Math.max(1, Math.round((now.getTime() - due.at.getTime()) / 60_000));
  const when = formatClock(due.at, { zone: "utc", now });
  return due.first
    ? `${who}no internal update has gone out yet (due ${when} UTC, ${late} min ago). Draft one in hotdoc's Comms section and publish it.`
    : `${who}the next ${due.audience} update was due at ${when} UTC (${late} min ago). Draft it in hotdoc's Comms section and publish it.`;
}
