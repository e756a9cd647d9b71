import { SYSTEM_PRINCIPAL } from "#shared/access.ts";
import type { PageProvider, TimelineEntry } from "#shared/doc/index.ts";
import type { PageCommand } from "../bridge/ChatMirror.ts";
import { DeliveryClaims } from "../bridge/DeliveryClaims.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { categoryLogger, type Logger } from "../logger.ts";
import type { ChatRoomStore } from "../storage/stores.ts";
import { CadenceNudges } from "./CadenceNudges.ts";
import { EmailPublisher } from "./email.ts";
import { OpsgeniePager } from "./opsgenie.ts";
import { PagingService } from "./PagingService.ts";
import { PublishService } from "./PublishService.ts";
import { PagerDutyPager } from "./pagerDuty.ts";
import type { PagingConfig } from "./pagingConfig.ts";
import { WebhookPager } from "./pagingWebhook.ts";
import { StatuspagePublisher } from "./statuspage.ts";
import { WebhookPublisher } from "./statusWebhook.ts";
import type { Pager, Publisher } from "./types.ts";

export interface PagingWiring {
  paging: PagingService;
  publishing: PublishService;
  nudges: CadenceNudges;
  /** A severity or status moved (PagingExtension): page, or resolve pages and post the final update. */
  changed(incident: string, entry: TimelineEntry): void;
  /** Chat's `page <team> <why>`. */
  pageCommand: PageCommand;
  /** Which providers are on, for /healthz. */
  providers(): { paging: PageProvider[]; publishing: string[] };
}

/** Builds paging and publishing from the configuration: each provider only when configured. */
export function wirePaging(
  config: PagingConfig,
  deps: {
    incidents: IncidentService;
    /** Where sends are claimed, so each happens once across requests and processes. */
    claimStore: Pick<ChatRoomStore, "claimDelivery" | "finishDelivery" | "releaseDelivery">;
    processName: string;
    publicUrl: () => string;
    announce: (incident: string, lines: string[]) => void;
    logger: Logger;
  },
): PagingWiring {
  const logger = categoryLogger(deps.logger, "paging");
  const claims = new DeliveryClaims(deps.claimStore, deps.processName);
  const pagers: Partial<Record<PageProvider, Pager>> = {
    pagerduty: new PagerDutyPager({ eventsUrl: config.pagerduty.eventsUrl }),
  };
  if (config.opsgenie) pagers.opsgenie = new OpsgeniePager(config.opsgenie);
  if (config.pagingWebhook)
    pagers.webhook = new WebhookPager({ secret: config.pagingWebhook.secret ?? "" });

  const publishers: Publisher[] = [];
  if (config.statuspage) publishers.push(new StatuspagePublisher(config.statuspage));
  if (config.email) publishers.push(new EmailPublisher(config.email));
  if (config.statusWebhook?.secret)
    publishers.push(
      new WebhookPublisher({ url: config.statusWebhook.url, secret: config.statusWebhook.secret }),
    );

  const publishing = new PublishService({
    publishers,
    incidents: deps.incidents,
    claims,
    publicUrl: deps.publicUrl,
    logger,
  });
  const paging = new PagingService({
    config,
    pagers,
    incidents: deps.incidents,
    claims,
    publicUrl: deps.publicUrl,
    logger,
    publishing: () => publishing.destinations(),
  });
  const nudges = new CadenceNudges({
    incidents: deps.incidents,
    claims,
    announce: deps.announce,
    cadenceMinutes: config.cadenceMinutes,
    logger,
  });

  const changed = (incident: string, entry: TimelineEntry) => {
    void (async () => {
      try {
        const now = await deps.incidents.read(incident);
        if (now.status === "resolved" || now.status === "closed") {
          await paging.resolveAll(incident);
          await publishing.publishResolved(incident);
        } else {
          await paging.pageIfDue(incident, entry.author);
        }
      } catch (error) {
        logger.warn({ incident, err: error }, "paging after a change failed");
      }
    })();
  };

  const pageCommand: PageCommand = (key, text, author) => {
    const teams = paging.options().teams;
    if (teams.length === 0)
      return "Paging is not set up in hotdoc (README › Paging and status pages).";
    // The longest configured team name the text starts with, so "Database on-call" beats "Database".
    const lower = text.toLowerCase();
    const team = [...teams]
      .sort((a, b) => b.name.length - a.name.length)
      .find(
        (t) =>
          lower.startsWith(t.name.toLowerCase()) && /^$|^[\s:,—-]/.test(text.slice(t.name.length)),
      );
    if (!team)
      return `No team by that name to page. Teams: ${teams.map((t) => t.name).join(", ")}. Say \`page <team> <why>\`.`;
    const why = text
      .slice(team.name.length)
      .replace(/^[\s:,—-]+/, "")
      .trim();
    if (!why)
      return `Say why ${team.name} is needed: \`page ${team.name} <why>\` (it goes on the page).`;
    void paging
      // The delivery was checked as this incident's room already; the page is asked in the author's name.
      .escalate(key, team.name, why.slice(0, 1000), { ...SYSTEM_PRINCIPAL, name: author })
      .catch((error: unknown) =>
        logger.warn({ incident: key, err: error }, "page from chat failed"),
      );
    return `Paging ${team.name} (${team.providers.join(", ")}): ${why}. The page and its acknowledgement will show in the timeline.`;
  };

  return {
    paging,
    publishing,
    nudges,
    changed,
    pageCommand,
    providers: () => ({
      paging: paging.providers(),
      publishing: [
        ...new Set(publishers.flatMap((p) => p.audiences().map((a) => `${p.destination}:${a}`))),
      ],
    }),
  };
}
