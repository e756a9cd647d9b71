import fs from "node:fs";
import { z } from "zod";
import { describeIssues } from "#shared/errors.ts";
import type { Audience, PageRoute } from "./types.ts";

/**
 * Paging and publishing configuration: the environment (the names the README documents)
 * and, for more than one team, a small JSON file (`PAGING_CONFIG`) saying which team's
 * on-call is paged through what, which team is the incident-manager rota for which
 * service, and which Statuspage component each product is. Every provider is off until
 * configured; everything is checked at start with one clear line per problem.
 */

const baseUrl = (name: string, fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: `${name} is an http(s) URL` })
    .default(fallback)
    .transform((v) => v.replace(/\/+$/, ""));

export const PAGING_ENV = z.object({
  PAGERDUTY_ROUTING_KEY: z.string().trim().min(1).max(255).optional(),
  PAGERDUTY_EVENTS_URL: baseUrl("PAGERDUTY_EVENTS_URL", "https://events.pagerduty.com"),
  PAGERDUTY_WEBHOOK_SECRET: z.string().min(8, "PAGERDUTY_WEBHOOK_SECRET is too short").optional(),
  OPSGENIE_API_KEY: z.string().trim().min(1).optional(),
  OPSGENIE_API_URL: baseUrl("OPSGENIE_API_URL", "https://api.opsgenie.com"),
  PAGING_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  PAGING_WEBHOOK_SECRET: z
    .string()
    .min(16, "PAGING_WEBHOOK_SECRET must be at least 16 characters")
    .optional(),
  STATUSPAGE_API_KEY: z.string().trim().min(1).optional(),
  STATUSPAGE_API_URL: baseUrl("STATUSPAGE_API_URL", "https://api.statuspage.io"),
  STATUSPAGE_PAGE_INTERNAL: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]+$/, "a Statuspage page id")
    .optional(),
  STATUSPAGE_PAGE_EXTERNAL: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]+$/, "a Statuspage page id")
    .optional(),
  STATUS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "SMTP_URL is an smtp:// or smtps:// URL" })
    .optional(),
  COMMS_EMAIL_TO: z.string().trim().min(3).optional(),
  COMMS_EMAIL_FROM: z.string().trim().min(3).optional(),
  COMMS_EMAIL_REPLY_TO: z.string().trim().min(3).optional(),
  PAGE_MIN_SEVERITY: z.coerce.number().int().min(0).max(3).default(2),
  PAGING_CONFIG: z.string().min(1).optional(),
  /** Minutes after which an audience's update is overdue when its last update named no time. */
  COMMS_CADENCE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
});
export type PagingEnv = z.infer<typeof PAGING_ENV>;

const Responder = z
  .object({
    type: z.enum(["team", "schedule", "escalation", "user"]),
    name: z.string().min(1).max(200),
  })
  .strict();

const TeamSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Incident services this team's on-call is the incident-manager rota for. */
    services: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
    /** The team paged when no team lists the incident's service. */
    default: z.boolean().default(false),
    pagerduty: z
      .object({ routingKey: z.string().trim().min(1).max(255).optional() })
      .strict()
      .optional(),
    opsgenie: z
      .object({
        responders: z.array(Responder).max(50).default([]),
        priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).optional(),
      })
      .strict()
      .optional(),
    webhook: z
      .object({ url: z.url({ protocol: /^https?$/ }) })
      .strict()
      .optional(),
  })
  .strict();

const FileSchema = z
  .object({
    teams: z.array(TeamSchema).max(500).default([]),
    statuspage: z
      .object({
        /** Product name → Statuspage component id, per page. */
        components: z
          .object({
            internal: z.record(z.string(), z.string().regex(/^[A-Za-z0-9]+$/)).default({}),
            external: z.record(z.string(), z.string().regex(/^[A-Za-z0-9]+$/)).default({}),
          })
          .strict()
          .default({ internal: {}, external: {} }),
      })
      .strict()
      .default({ components: { internal: {}, external: {} } }),
  })
  .strict();

/** One team as paging uses it: its name, the services it is the IM rota for, and its routes. */
export interface PagingTeam {
  name: string;
  services: string[];
  isDefault: boolean;
  routes: PageRoute[];
}

export interface PagingConfig {
  /** Teams that can be paged, in the configured order (the default team first when implicit). */
  teams: PagingTeam[];
  /** Sev 1..minSeverity page on declaration (0: none page). */
  minSeverity: number;
  pagerduty: { eventsUrl: string; webhookSecret: string | null; configured: boolean };
  opsgenie: { apiUrl: string; apiKey: string } | null;
  pagingWebhook: { secret: string | null } | null;
  statuspage: {
    apiUrl: string;
    apiKey: string;
    pages: Partial<Record<Audience, string>>;
    components: Record<Audience, Record<string, string>>;
  } | null;
  statusWebhook: { url: string; secret: string | null } | null;
  email: { smtpUrl: string; to: string; from: string; replyTo: string | null } | null;
  cadenceMinutes: number;
}

/** The team hotdoc pages when only the environment is set (no PAGING_CONFIG). */
const DEFAULT_TEAM_NAME = "On-call incident manager";

export class PagingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PagingConfigError";
  }
}

/**
 * Builds the paging configuration from the parsed environment, reading PAGING_CONFIG when
 * set. Throws PagingConfigError listing every problem (the start-up prints it and exits 1).
 */
export function buildPagingConfig(
  env: PagingEnv,
  readFile: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): PagingConfig {
  const problems: string[] = [];
  let file: z.infer<typeof FileSchema> = FileSchema.parse({});
  if (env.PAGING_CONFIG) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFile(env.PAGING_CONFIG));
    } catch (error) {
      throw new PagingConfigError(
        `PAGING_CONFIG ${env.PAGING_CONFIG}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsed = FileSchema.safeParse(raw);
    if (!parsed.success)
      throw new PagingConfigError(
        `PAGING_CONFIG ${env.PAGING_CONFIG}: ${describeIssues(parsed.error.issues, { limit: Number.POSITIVE_INFINITY }).message}`,
      );
    file = parsed.data;
  }

  const teams: PagingTeam[] = [];
  const seen = new Set<string>();
  for (const team of file.teams) {
    const lower = team.name.toLowerCase();
    if (seen.has(lower)) problems.push(`team "${team.name}" is listed twice`);
    seen.add(lower);
    const routes: PageRoute[] = [];
    if (team.pagerduty) {
      const routingKey = team.pagerduty.routingKey ?? env.PAGERDUTY_ROUTING_KEY;
      if (!routingKey)
        problems.push(
          `team "${team.name}" pages through PagerDuty but has no routingKey and PAGERDUTY_ROUTING_KEY is not set`,
        );
      else routes.push({ provider: "pagerduty", routingKey });
    }
    if (team.opsgenie) {
      if (!env.OPSGENIE_API_KEY)
        problems.push(`team "${team.name}" pages through Opsgenie but OPSGENIE_API_KEY is not set`);
      else
        routes.push({
          provider: "opsgenie",
          responders: team.opsgenie.responders,
          ...(team.opsgenie.priority ? { priority: team.opsgenie.priority } : {}),
        });
    }
    if (team.webhook) routes.push({ provider: "webhook", url: team.webhook.url });
    if (!team.pagerduty && !team.opsgenie && !team.webhook)
      problems.push(`team "${team.name}" names no provider (pagerduty, opsgenie or webhook)`);
    teams.push({ name: team.name, services: team.services, isDefault: team.default, routes });
  }
  if (teams.filter((t) => t.isDefault).length > 1)
    problems.push("more than one team is marked default");

  // With no team marked default, the environment's own routes make the implicit default team.
  if (!teams.some((t) => t.isDefault)) {
    const routes: PageRoute[] = [];
    if (env.PAGERDUTY_ROUTING_KEY)
      routes.push({ provider: "pagerduty", routingKey: env.PAGERDUTY_ROUTING_KEY });
    if (env.OPSGENIE_API_KEY && file.teams.length === 0)
      routes.push({ provider: "opsgenie", responders: [] });
    if (env.PAGING_WEBHOOK_URL) routes.push({ provider: "webhook", url: env.PAGING_WEBHOOK_URL });
    if (routes.length > 0)
      teams.unshift({ name: DEFAULT_TEAM_NAME, services: [], isDefault: true, routes });
  }
  if (
    teams.some((t) => t.routes.some((r) => r.provider === "webhook")) &&
    !env.PAGING_WEBHOOK_SECRET
  )
    problems.push("PAGING_WEBHOOK_SECRET must be set to page through a webhook (pages are signed)");

  const pages: Partial<Record<Audience, string>> = {};
  if (env.STATUSPAGE_PAGE_INTERNAL) pages.internal = env.STATUSPAGE_PAGE_INTERNAL;
  if (env.STATUSPAGE_PAGE_EXTERNAL) pages.external = env.STATUSPAGE_PAGE_EXTERNAL;
  if (env.STATUSPAGE_API_KEY && Object.keys(pages).length === 0)
    problems.push(
      "STATUSPAGE_API_KEY is set but neither STATUSPAGE_PAGE_INTERNAL nor STATUSPAGE_PAGE_EXTERNAL is",
    );
  if (!env.STATUSPAGE_API_KEY && Object.keys(pages).length > 0)
    problems.push("STATUSPAGE_PAGE_INTERNAL/EXTERNAL is set but STATUSPAGE_API_KEY is not");

  const email = [env.SMTP_URL, env.COMMS_EMAIL_TO, env.COMMS_EMAIL_FROM];
  const emailSet = email.filter((v) => v !== undefined).length;
  if (emailSet !== 0 && emailSet !== 3)
    problems.push("set SMTP_URL, COMMS_EMAIL_TO and COMMS_EMAIL_FROM together, or none of them");
  if (env.STATUS_WEBHOOK_URL && !env.PAGING_WEBHOOK_SECRET)
    problems.push(
      "PAGING_WEBHOOK_SECRET must be set to publish through STATUS_WEBHOOK_URL (posts are signed)",
    );

  if (problems.length > 0)
    throw new PagingConfigError(`invalid paging configuration — ${problems.join("; ")}`);

  return {
    teams,
    minSeverity: env.PAGE_MIN_SEVERITY,
    pagerduty: {
      eventsUrl: env.PAGERDUTY_EVENTS_URL,
      webhookSecret: env.PAGERDUTY_WEBHOOK_SECRET ?? null,
      configured: teams.some((t) => t.routes.some((r) => r.provider === "pagerduty")),
    },
    opsgenie: env.OPSGENIE_API_KEY
      ? { apiUrl: env.OPSGENIE_API_URL, apiKey: env.OPSGENIE_API_KEY }
      : null,
    pagingWebhook: env.PAGING_WEBHOOK_SECRET ? { secret: env.PAGING_WEBHOOK_SECRET } : null,
    statuspage: env.STATUSPAGE_API_KEY
      ? {
          apiUrl: env.STATUSPAGE_API_URL,
          apiKey: env.STATUSPAGE_API_KEY,
          pages,
          components: file.statuspage.components,
        }
      : null,
    statusWebhook: env.STATUS_WEBHOOK_URL
      ? { url: env.STATUS_WEBHOOK_URL, secret: env.PAGING_WEBHOOK_SECRET ?? null }
      : null,
    email:
      env.SMTP_URL && env.COMMS_EMAIL_TO && env.COMMS_EMAIL_FROM
        ? {
            smtpUrl: env.SMTP_URL,
            to: env.COMMS_EMAIL_TO,
            from: env.COMMS_EMAIL_FROM,
            replyTo: env.COMMS_EMAIL_REPLY_TO ?? null,
          }
        : null,
    cadenceMinutes: env.COMMS_CADENCE_MINUTES,
  };
}

/** The team whose on-call manages incidents of `service`: the one listing it, else the default team. */
export function imTeamFor(config: PagingConfig, service: string): PagingTeam | null {
  const wanted = service.trim().toLowerCase();
  return (
    config.teams.find((t) => t.services.some((s) => s.toLowerCase() === wanted)) ??
    config.teams.find((t) => t.isDefault) ??
    null
  );
}

/** A team by name, case-insensitively. */
export function teamNamed(config: PagingConfig, name: string): PagingTeam | null {
  const wanted = name.trim().toLowerCase();
  return config.teams.find((t) => t.name.toLowerCase() === wanted) ?? null;
}
