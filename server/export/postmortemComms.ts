import { nextUpdateDue } from "#shared/comms/nextUpdate.ts";
import {
  COMMS_AUDIENCES,
  type CommsUpdate,
  formatDuration,
  type IncidentDocument,
  type PageRecord,
  PUBLISH_DESTINATIONS,
  type PublicationRecord,
} from "#shared/doc/index.ts";

/**
 * The postmortem's communications and paging: the updates that went out, with the gap
 * between them and whether each came later than the previous one promised, and the
 * pages with their acknowledgement times. Pure and O(updates + publications + pages).
 */

interface Duration {
  ms: number | null;
  text: string;
}

/** Where one update went: a publication that was sent, or the channel it was marked sent by hand. */
interface CommsDestination {
  /** "Statuspage (internal)", "email", "webhook", or the hand-written channel. */
  name: string;
  /** The provider's page for it, only when it is http(s). */
  url: string | null;
}

export interface PostmortemComms {
  sentAt: string;
  audience: string;
  title: string;
  summary: string;
  channel: string;
  /** True for the update hotdoc posted itself when the incident was resolved. */
  final: boolean;
  destinations: CommsDestination[];
  /** Since the previous update of the same audience; null for the first one. */
  gap: Duration | null;
  /** When the previous update of the same audience promised this one (UTC); null for the first. */
  dueAt: string | null;
  /** How much later than promised it went out; null when on time or the first. */
  lateBy: Duration | null;
}

/** How long after the start of impact (or the declaration) each audience heard first. */
export interface FirstUpdate {
  audience: string;
  sentAt: string;
  /** "start of impact", or "declaration" when the start is not recorded. */
  from: "start of impact" | "declaration";
  fromAt: string | null;
  after: Duration;
}

export interface PostmortemPage {
  team: string;
  provider: string;
  reason: string;
  note: string;
  state: string;
  /** When it was asked for. */
  at: string;
  sentAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** From sent (or asked for) to acknowledged; null when never acknowledged. */
  timeToAcknowledge: Duration | null;
  resolvedAt: string | null;
  error: string | null;
  url: string | null;
}

const PROVIDERS: Record<PageRecord["provider"], string> = {
  pagerduty: "PagerDuty",
  opsgenie: "Opsgenie",
  webhook: "webhook",
};

const httpUrl = (url: string | undefined): string | null =>
  url && /^https?:\/\//i.test(url) ? url : null;

/** "34 min", "<1 min", "1 h 05 min": gaps read at a glance, to the minute. */
function minutesText(ms: number): string {
  if (ms < 60_000) return "<1 min";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

function destinationName(p: PublicationRecord): string {
  return p.destination === "statuspage" ? `Statuspage (${p.audience})` : p.destination;
}

/** The final update on resolve has no comms record: its publications are `final-<audience>.<destination>`. */
function finalAudience(p: PublicationRecord): string | null {
  if (p.commsId !== undefined) return null;
  const match = /^final-([a-z]+)\./.exec(p.id);
  return match ? match[1] : null;
}

interface Sent {
  update: CommsUpdate;
  sentAt: string;
  final: boolean;
  destinations: CommsDestination[];
}

/** Every sent update (drafts never), with where it went, in time order per audience. */
export function commsOf(incident: IncidentDocument): {
  comms: PostmortemComms[];
  firstUpdates: FirstUpdate[];
} {
  const published = new Map<string, PublicationRecord[]>();
  const finals = new Map<string, PublicationRecord[]>();
  for (const p of incident.publications) {
    if (p.state !== "sent") continue;
    const key = p.commsId;
    if (key !== undefined) {
      const list = published.get(key);
      if (list) list.push(p);
      else published.set(key, [p]);
      continue;
    }
    const audience = finalAudience(p);
    if (audience === null) continue;
    const list = finals.get(audience);
    if (list) list.push(p);
    else finals.set(audience, [p]);
  }
  // In the order the vocabulary lists destinations, whatever order they were sent in.
  const destinationsOf = (pubs: readonly PublicationRecord[]) =>
    [...pubs]
      .sort(
        (a, b) =>
          PUBLISH_DESTINATIONS.indexOf(a.destination) - PUBLISH_DESTINATIONS.indexOf(b.destination),
      )
      .map((p) => ({ name: destinationName(p), url: httpUrl(p.url) }));

  const sent: Sent[] = [];
  for (const c of incident.comms) {
    if (c.state !== "sent") continue;
    const pubs = published.get(c.id);
    sent.push({
      update: c,
      sentAt: c.sentAt ?? c.at,
      final: false,
      destinations: pubs?.length
        ? destinationsOf(pubs)
        : c.channel.trim()
          ? [{ name: c.channel, url: null }]
          : [],
    });
  }
  for (const [audience, pubs] of finals) {
    if (!(COMMS_AUDIENCES as readonly string[]).includes(audience)) continue;
    const first = pubs.reduce((a, b) => ((b.sentAt ?? b.at) < (a.sentAt ?? a.at) ? b : a));
    const sentAt = first.sentAt ?? first.at;
    sent.push({
      // Stands in for the comms record the final update never had: no promised next update.
      update: {
        id: first.id,
        at: first.at,
        author: first.author,
        audience: first.audience,
        state: "sent",
        title: first.title,
        summary: "",
        currentStatus: [],
        nextSteps: [],
        nextUpdate: "",
        channel: "",
        sentAt,
      },
      sentAt,
      final: true,
      destinations: destinationsOf(pubs),
    });
  }
  const order = (a: string) => (COMMS_AUDIENCES as readonly string[]).indexOf(a);
  sent.sort((a, b) =>
    a.update.audience !== b.update.audience
      ? order(a.update.audience) - order(b.update.audience)
      : a.sentAt < b.sentAt
        ? -1
        : a.sentAt > b.sentAt
          ? 1
          : 0,
  );

  const comms: PostmortemComms[] = [];
  const firstUpdates: FirstUpdate[] = [];
  const { startedAt } = incident.times;
  const fromAt = startedAt ?? incident.createdAt;
  let previous: Sent | undefined;
  for (const s of sent) {
    const u = s.update;
    const samePrevious = previous && previous.update.audience === u.audience ? previous : undefined;
    let gap: PostmortemComms["gap"] = null;
    let dueAt: string | null = null;
    let lateBy: Duration | null = null;
    if (samePrevious) {
      const ms = Date.parse(s.sentAt) - Date.parse(samePrevious.sentAt);
      gap = { ms, text: `+${minutesText(ms)}` };
      const due = nextUpdateDue(samePrevious.update, "utc").at;
      if (!Number.isNaN(due.getTime())) {
        dueAt = due.toISOString();
        const late = Date.parse(s.sentAt) - due.getTime();
        if (late > 0) lateBy = { ms: late, text: minutesText(late) };
      }
    } else {
      const ms = fromAt ? Date.parse(s.sentAt) - Date.parse(fromAt) : null;
      firstUpdates.push({
        audience: u.audience,
        sentAt: s.sentAt,
        from: startedAt ? "start of impact" : "declaration",
        fromAt,
        after: { ms, text: formatDuration(ms) },
      });
    }
    comms.push({
      sentAt: s.sentAt,
      audience: u.audience,
      title: u.title,
      summary: u.summary,
      channel: u.channel,
      final: s.final,
      destinations: s.destinations,
      gap,
      dueAt,
      lateBy,
    });
    previous = s;
  }
  return { comms, firstUpdates };
}

/** Each page with what became of it: acknowledged (by whom, how fast), resolved, or failed. */
export function pagesOf(incident: IncidentDocument): PostmortemPage[] {
  return incident.pages.map((p) => {
    const from = p.sentAt ?? p.at;
    const ackMs = p.acknowledgedAt ? Date.parse(p.acknowledgedAt) - Date.parse(from) : null;
    return {
      team: p.team,
      provider: PROVIDERS[p.provider] ?? p.provider,
      reason: p.reason,
      note: p.note,
      state: p.state,
      at: p.at,
      sentAt: p.sentAt ?? null,
      acknowledgedAt: p.acknowledgedAt ?? null,
      acknowledgedBy: p.acknowledgedBy ?? null,
      timeToAcknowledge:
        ackMs === null || Number.isNaN(ackMs) ? null : { ms: ackMs, text: formatDuration(ackMs) },
      resolvedAt: p.resolvedAt ?? null,
      error: p.state === "failed" ? (p.error ?? "") : null,
      url: httpUrl(p.url),
    };
  });
}
