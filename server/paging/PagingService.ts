import { type Principal, SYSTEM_PRINCIPAL } from "#shared/access.ts";
import {
  type IncidentDocument,
  logPageEvent,
  type PageProvider,
  type PageRecord,
  pageId,
  readPage,
  savePage,
  slug,
} from "#shared/doc/index.ts";
import type { PagingOptions } from "#shared/paging.ts";
import { authorize } from "../access/authorize.ts";
import type { DeliveryClaims } from "../bridge/DeliveryClaims.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { PagerDutyEvent } from "./pagerDutyWebhook.ts";
import { imTeamFor, type PagingConfig, type PagingTeam, teamNamed } from "./pagingConfig.ts";
import { type PageRequest, type PageRoute, type Pager, ProviderError } from "./types.ts";

const PROVIDER_NAMES: Record<PageProvider, string> = {
  pagerduty: "PagerDuty",
  opsgenie: "Opsgenie",
  webhook: "webhook",
};

const ACTIVE = new Set(["new", "fixing"]);

/**
 * Pages on-call teams about incidents and keeps what became of each page in the incident
 * document. A declaration at or above PAGE_MIN_SEVERITY (and a raise to it) pages the
 * incident-manager rota of the incident's service; "Escalate" (the page, the API, chat's
 * `page <team> <why>`) pages any configured team; resolving the incident resolves its
 * pages; PagerDuty's webhook reports acknowledgements.
 *
 * Exactly once: each team is paged once per incident through each of its providers. The
 * page's dedup key is derived from the incident key and the team (PagerDuty's dedup_key,
 * Opsgenie's alias), so a retry never pages twice at the provider, and the send itself is
 * claimed in the store (DeliveryClaims), so two requests, or two processes, send it once.
 */
export class PagingService {
  private readonly config: PagingConfig;
  private readonly pagers: Partial<Record<PageProvider, Pager>>;
  private readonly incidents: IncidentService;
  private readonly claims: DeliveryClaims;
  private readonly publicUrl: () => string;
  private readonly logger: Logger;
  private readonly publishing: () => PagingOptions["publishing"];

  constructor(options: {
    config: PagingConfig;
    pagers: Partial<Record<PageProvider, Pager>>;
    incidents: IncidentService;
    claims: DeliveryClaims;
    publicUrl: () => string;
    logger: Logger;
    publishing: () => PagingOptions["publishing"];
  }) {
    this.config = options.config;
    this.pagers = options.pagers;
    this.incidents = options.incidents;
    this.claims = options.claims;
    this.publicUrl = options.publicUrl;
    this.logger = options.logger;
    this.publishing = options.publishing;
  }

  /** Which providers are on, for /healthz. */
  providers(): PageProvider[] {
    return (Object.keys(this.pagers) as PageProvider[]).filter((p) =>
      this.config.teams.some((t) => t.routes.some((r) => r.provider === p)),
    );
  }

  options(): PagingOptions {
    return {
      teams: this.config.teams
        .filter((t) => t.routes.length > 0)
        .map((t) => ({ name: t.name, providers: t.routes.map((r) => r.provider) })),
      minSeverity: this.config.minSeverity,
      publishing: this.publishing(),
      cadenceMinutes: this.config.cadenceMinutes,
    };
  }

  /**
   * Pages the incident-manager rota if the incident is active at a paging severity and
   * that rota has not been paged yet. Called after a declaration and after a severity or
   * status change accepted by this process; never throws (failures are in the record).
   */
  async pageIfDue(key: string, requestedBy: string): Promise<void> {
    try {
      const incident = await this.incidents.read(key);
      if (!ACTIVE.has(incident.status)) return;
      if (this.config.minSeverity === 0 || incident.severity > this.config.minSeverity) return;
      const team = imTeamFor(this.config, incident.service);
      if (!team) return;
      if (incident.pages.some((p) => p.team === team.name && p.state !== "failed")) return;
      await this.page(incident, team, {
        reason: "declared",
        note: `declared SEV${incident.severity}`,
        requestedBy,
      });
    } catch (error) {
      this.logger.error({ incident: key, err: error }, "paging on declaration failed");
    }
  }

  /** Pages `teamName` about the incident now, for `note` (Escalate). Failed providers are in the records. */
  async escalate(
    key: string,
    teamName: string,
    note: string,
    principal: Principal,
  ): Promise<PageRecord[]> {
    authorize(principal, "edit", key);
    if (this.config.teams.length === 0)
      throw new HotdocError(
        "paging_not_configured",
        "paging is not set up: configure PagerDuty, Opsgenie or a paging webhook (README › Paging and status pages)",
      );
    const team = teamNamed(this.config, teamName);
    if (!team)
      throw new HotdocError(
        "paging_team_not_found",
        `no team "${teamName}" to page; teams: ${this.config.teams.map((t) => t.name).join(", ")}`,
        "team",
      );
    const incident = await this.incidents.read(key);
    return this.page(incident, team, {
      reason: "escalated",
      note,
      requestedBy: principal.name,
    });
  }

  /** Resolves every open page of the incident (it was resolved). Never throws. */
  async resolveAll(key: string): Promise<void> {
    try {
      const incident = await this.incidents.read(key);
      for (const page of incident.pages) {
        if (page.state !== "triggered" && page.state !== "acknowledged") continue;
        const team = teamNamed(this.config, page.team);
        const route = team?.routes.find((r) => r.provider === page.provider);
        const pager = this.pagers[page.provider];
        if (!route || !pager) continue;
        try {
          await pager.resolve(route, this.request(incident, page.team, page.note, page.author));
          await this.write(key, (doc) => {
            const now = new Date();
            const current = readPage(doc, page.id);
            if (!current || current.state === "resolved") return;
            savePage(doc, { ...current, state: "resolved", resolvedAt: now.toISOString() });
            logPageEvent(
              doc,
              current,
              `Page to ${page.team} resolved in ${PROVIDER_NAMES[page.provider]}`,
              now,
            );
          });
        } catch (error) {
          const message = describe(error);
          this.logger.warn(
            { incident: key, team: page.team, provider: page.provider, error: message },
            "resolving a page failed",
          );
          await this.write(key, (doc) => {
            const current = readPage(doc, page.id);
            if (current) savePage(doc, { ...current, error: `resolving failed: ${message}` });
          }).catch(() => undefined);
        }
      }
    } catch (error) {
      this.logger.error({ incident: key, err: error }, "resolving pages failed");
    }
  }

  /**
   * PagerDuty reports an acknowledgement (or a resolution, or an un-acknowledgement) of the
   * alert hotdoc triggered: the page's record says so. The incident is found by the dedup
   * key hotdoc set, which PagerDuty's incident carries as its incident_key. Returns whether
   * a page matched (an event about anything else is answered and ignored).
   */
  async fromPagerDuty(event: PagerDutyEvent): Promise<boolean> {
    const found = event.incidentKey ? parseDedupKey(event.incidentKey) : null;
    if (!found) return false;
    const { key, id } = found;
    try {
      await this.incidents.requireIncident(key);
    } catch {
      return false;
    }
    let matched = false;
    await this.write(key, (doc) => {
      const page = readPage(doc, id);
      if (page?.provider !== "pagerduty") return;
      matched = true;
      const at = event.occurredAt ?? new Date().toISOString();
      const url = event.htmlUrl ?? page.url;
      if (event.eventType === "incident.acknowledged" && page.state !== "resolved") {
        if (page.state === "acknowledged") return;
        const by = event.agentName ?? "someone";
        savePage(doc, {
          ...page,
          state: "acknowledged",
          acknowledgedAt: at,
          acknowledgedBy: by,
          url,
        });
        logPageEvent(doc, page, `${by} acknowledged the page to ${page.team} (PagerDuty)`);
      } else if (event.eventType === "incident.unacknowledged" && page.state === "acknowledged") {
        savePage(doc, {
          ...page,
          state: "triggered",
          acknowledgedAt: undefined,
          acknowledgedBy: undefined,
          url,
        });
        logPageEvent(doc, page, `The page to ${page.team} is unacknowledged again (PagerDuty)`);
      } else if (event.eventType === "incident.resolved" && page.state !== "resolved") {
        savePage(doc, { ...page, state: "resolved", resolvedAt: at, url });
        logPageEvent(doc, page, `The page to ${page.team} was resolved in PagerDuty`);
      } else if (url !== page.url) {
        savePage(doc, { ...page, url });
      }
    });
    return matched;
  }

  /** Pages one team through each of its routes; returns the team's page records afterwards. */
  private async page(
    incident: IncidentDocument,
    team: PagingTeam,
    what: { reason: PageRecord["reason"]; note: string; requestedBy: string },
  ): Promise<PageRecord[]> {
    const results: PageRecord[] = [];
    for (const route of team.routes)
      results.push(await this.pageRoute(incident, team, route, what));
    return results;
  }

  private async pageRoute(
    incident: IncidentDocument,
    team: PagingTeam,
    route: PageRoute,
    what: { reason: PageRecord["reason"]; note: string; requestedBy: string },
  ): Promise<PageRecord> {
    const key = incident.key;
    const id = pageId(team.name, route.provider);
    const existing = incident.pages.find((p) => p.id === id);
    // Paged already (and not since resolved and reopened): one page per team and provider.
    if (existing && (existing.state === "triggered" || existing.state === "acknowledged"))
      return existing;
    const pager = this.pagers[route.provider];
    const request = this.request(incident, team.name, what.note, what.requestedBy);
    const generation = existing?.resolvedAt ?? "0";
    const outcome = await this.claims
      .once(`page:${key}:${id}:${generation}`, async () => {
        const attempts = (existing?.attempts ?? 0) + 1;
        const base: PageRecord = {
          id,
          at: existing?.at ?? new Date().toISOString(),
          author: what.requestedBy,
          team: team.name,
          provider: route.provider,
          reason: existing?.reason ?? what.reason,
          note: what.note,
          dedupKey: request.dedupKey,
          state: "sending",
          attempts,
        };
        await this.write(key, (doc) => savePage(doc, base));
        let record: PageRecord;
        try {
          if (!pager)
            throw new ProviderError(route.provider, `${route.provider} is not configured`);
          const accepted = await pager.trigger(route, request);
          const now = new Date();
          record = {
            ...base,
            state: "triggered",
            sentAt: now.toISOString(),
            ...(accepted.url ? { url: accepted.url } : {}),
          };
          await this.write(key, (doc) => {
            savePage(doc, { ...record, error: undefined });
            logPageEvent(
              doc,
              record,
              `Paged ${team.name} through ${PROVIDER_NAMES[route.provider]}: ${what.note}`,
              now,
            );
          });
          this.logger.info(
            { incident: key, team: team.name, provider: route.provider },
            "page sent",
          );
          return record;
        } catch (error) {
          const message = describe(error);
          this.logger.warn(
            {
              incident: key,
              team: team.name,
              provider: route.provider,
              error: message,
              credentialsRejected: error instanceof ProviderError && error.credentialsRejected,
            },
            "page failed",
          );
          record = { ...base, state: "failed", error: message };
          await this.write(key, (doc) => {
            savePage(doc, record);
            logPageEvent(
              doc,
              record,
              `Paging ${team.name} through ${PROVIDER_NAMES[route.provider]} failed: ${message}`,
            );
          });
          // Given up so that "Page again" can claim it at once.
          throw new PageFailed(record);
        }
      })
      .catch((error: unknown) => {
        if (error instanceof PageFailed) return error.record;
        throw error;
      });
    if (outcome === "duplicate") {
      // Sent by a concurrent request or another process: its record is the answer.
      const now = await this.incidents.read(key);
      return now.pages.find((p) => p.id === id) ?? (existing as PageRecord);
    }
    return outcome;
  }

  private request(
    incident: IncidentDocument,
    team: string,
    note: string,
    requestedBy: string,
  ): PageRequest {
    const room = incident.links.find((l) => l.kind === "chat" && l.url)?.url;
    return {
      incidentKey: incident.key,
      dedupKey: dedupKey(incident.key, slug(team)),
      summary: incident.summary,
      severity: incident.severity,
      service: incident.service,
      team,
      note,
      incidentUrl: `${this.publicUrl()}/${incident.key}`,
      ...(room ? { roomUrl: room } : {}),
      requestedBy,
    };
  }

  private async write(key: string, change: Parameters<IncidentService["write"]>[2]) {
    return this.incidents.write(key, SYSTEM_PRINCIPAL, change);
  }
}

class PageFailed extends Error {
  readonly record: PageRecord;
  constructor(record: PageRecord) {
    super(record.error ?? "page failed");
    this.record = record;
  }
}

/** The dedup key (PagerDuty) and alias (Opsgenie) of an incident's page to a team: "hotdoc/HOT-12/database-on-call". */
function dedupKey(incidentKey: string, teamSlug: string): string {
  return `hotdoc/${incidentKey}/${teamSlug}`;
}

/** The incident key and page record id (PagerDuty's) in a dedup key hotdoc made, or null. */
function parseDedupKey(value: string): { key: string; id: string } | null {
  const match = /^hotdoc\/([A-Z][A-Z0-9]{0,15}-[1-9][0-9]{0,9})\/([a-z0-9-]{1,80})$/.exec(value);
  return match ? { key: match[1], id: `${match[2]}.pagerduty` } : null;
}

function describe(error: unknown): string {
  if (error instanceof ProviderError) return error.message.slice(0, 2000);
  if (error instanceof HotdocError) return error.message.slice(0, 2000);
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
