import type {
  COMMS_AUDIENCES,
  PageProvider,
  PublishDestination,
  Severity,
} from "#shared/doc/index.ts";
import type { RetryPolicy } from "../net/retrying.ts";

/**
 * The contracts between hotdoc's paging and publishing (PagingService, PublishService)
 * and the providers they talk to. Each provider is a small class over `fetch` (or
 * nodemailer) with its base URL from configuration, so tests point it at a local server
 * that checks requests the way the provider documents them.
 */

export type Audience = (typeof COMMS_AUDIENCES)[number];

/**
 * A provider's refusal or absence, in its own words. `retryable` (429, 5xx, a dropped
 * connection, a timeout) was already retried within the call before it was thrown;
 * `credentialsRejected` (401/403, an unknown routing key) says the configuration is wrong.
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly credentialsRejected: boolean;

  constructor(
    provider: string,
    message: string,
    options: { status?: number | null; retryable?: boolean; credentialsRejected?: boolean } = {},
  ) {
    super(message);
    this.name = "ProviderError";
    this.provider = provider;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? false;
    this.credentialsRejected = options.credentialsRejected ?? false;
  }
}

/** How long and how often one provider call is tried before it is reported failed (the person can retry). */
export const PROVIDER_RETRY: RetryPolicy = { attempts: 3, baseMs: 400, maxWaitMs: 5000 };
/** One attempt's time limit. */
export const PROVIDER_TIMEOUT_MS = 8000;

/** Everything a page says, whoever carries it. */
export interface PageRequest {
  /** The incident key ("HOT-12"): the first thing on every page (the handbook: it names the chat room). */
  incidentKey: string;
  /** Stable per incident and team: PagerDuty's dedup_key, Opsgenie's alias, the webhook's id. */
  dedupKey: string;
  summary: string;
  severity: Severity;
  service: string;
  /** The team or rota paged, as configured. */
  team: string;
  /** Why: "declared SEV1", or the escalation's reason. */
  note: string;
  /** Where to go: the incident's page in hotdoc. */
  incidentUrl: string;
  /** The incident's chat room, when it has one. */
  roomUrl?: string;
  /** Who asked for the page. */
  requestedBy: string;
}

/** What a provider said when it took a page. */
export interface PageAccepted {
  /** The provider's reference (PagerDuty's dedup_key echoed, Opsgenie's requestId, …). */
  reference?: string;
  url?: string;
}

/** One team's route through one provider, from the paging configuration. */
export type PageRoute =
  | { provider: "pagerduty"; routingKey: string }
  | {
      provider: "opsgenie";
      /** Opsgenie responders: `{type:"team"|"schedule"|"escalation"|"user", name}`. */
      responders: { type: "team" | "schedule" | "escalation" | "user"; name: string }[];
      priority?: "P1" | "P2" | "P3" | "P4" | "P5";
    }
  | { provider: "webhook"; url: string };

export interface Pager {
  readonly provider: PageProvider;
  trigger(route: PageRoute, page: PageRequest): Promise<PageAccepted>;
  /** Resolves the page (the incident was resolved). Idempotent. */
  resolve(route: PageRoute, page: PageRequest): Promise<void>;
}

/** A comms update to publish, exactly as drafted. */
export interface PublishRequest {
  incidentKey: string;
  audience: Audience;
  /** The update's title: the Statuspage incident's name (on creation) and the email's subject. */
  title: string;
  /** The update's body, exactly as drafted (shared/comms/updateText.ts publishedBody). */
  body: string;
  /** hotdoc's status mapped for status pages. */
  status: "investigating" | "identified" | "monitoring" | "resolved";
  /** Products affected (Statuspage components, through the configured map). */
  products: string[];
  incidentUrl: string;
  /** The id of the publication (idempotency key: the same draft to the same place is one post). */
  publicationId: string;
  /** The provider's incident this update continues, from an earlier publication to the same place. */
  providerIncidentId?: string;
}

export interface Published {
  providerId?: string;
  providerIncidentId?: string;
  url?: string;
}

export interface Publisher {
  readonly destination: PublishDestination;
  /** Which audiences this destination serves as configured (Statuspage: the pages set; email: internal). */
  audiences(): Audience[];
  publish(request: PublishRequest): Promise<Published>;
}
