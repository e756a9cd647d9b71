import {
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
} from "../net/retrying.ts";
import { withProviderRetries } from "./providerHttp.ts";
import {
  type Audience,
  PROVIDER_RETRY,
  PROVIDER_TIMEOUT_MS,
  ProviderError,
  type Published,
  type Publisher,
  type PublishRequest,
} from "./types.ts";

/**
 * Publishes comms updates to Atlassian Statuspage (REST API v1, as its OpenAPI documents
 * it: https://developer.statuspage.io/, vendored in sbecker59/statuspage-api-client-go
 * swagger.json; see test/fixtures/paging/statuspage-v1.json). One Statuspage page per
 * audience. The first publication to a page creates an incident
 * (`POST /v1/pages/{page_id}/incidents`, 201); later ones continue it
 * (`PATCH /v1/pages/{page_id}/incidents/{incident_id}`, 200), each status + body being a
 * new incident update. Auth: `Authorization: OAuth <api key>`.
 */

/** Statuspage's limits on an incident's name and an update's body (OpenAPI field descriptions). */
const STATUSPAGE_NAME_MAX = 255;
const STATUSPAGE_BODY_MAX = 25_000;

/** Statuspage's component statuses (OpenAPI Component.status). */
type ComponentStatus =
  | "operational"
  | "under_maintenance"
  | "degraded_performance"
  | "partial_outage"
  | "major_outage";

/**
 * What the affected products' components show, from the update's status alone (a
 * publication carries no severity): down while investigating or identified, degraded
 * while a fix is monitored, operational once resolved.
 */
function componentStatus(status: PublishRequest["status"]): ComponentStatus {
  switch (status) {
    case "resolved":
      return "operational";
    case "monitoring":
      return "degraded_performance";
    default:
      return "major_outage";
  }
}

/** The incident's name: the title, carrying the incident key ("HOT-12: …"), at most 255 characters. */
function statuspageIncidentName(request: PublishRequest): string {
  const title = request.title.replace(/\s+/g, " ").trim();
  const name = !title
    ? request.incidentKey
    : title.includes(request.incidentKey)
      ? title
      : `${request.incidentKey}: ${title}`;
  return name.length <= STATUSPAGE_NAME_MAX
    ? name
    : `${name.slice(0, STATUSPAGE_NAME_MAX - 1).trimEnd()}…`;
}

export interface StatuspageOptions {
  /** Base URL without /v1 (https://api.statuspage.io). */
  apiUrl: string;
  apiKey: string;
  /** The page id per audience; an audience without one is not published to. */
  pages: Partial<Record<Audience, string>>;
  /** Product name → component id, per audience's page. */
  components: Record<Audience, Record<string, string>>;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** The parts of Statuspage's Incident object hotdoc reads. */
interface IncidentAnswer {
  id?: unknown;
  shortlink?: unknown;
  incident_updates?: { id?: unknown }[];
  metadata?: { hotdoc?: { publication?: unknown } } | null;
}

/** One HTTP attempt's outcome, or a RetryableError / ProviderError thrown. */
export interface HttpAnswer {
  status: number;
  json: unknown;
  text: string;
}

/**
 * One JSON request, with a time limit. A dropped connection or a timeout throws
 * RetryableError; any answer is returned, whatever its status.
 */
export async function httpAttempt(
  fetchImpl: typeof fetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
): Promise<HttpAnswer & { headers: Headers }> {
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new RetryableError(
      `${init.method} ${new URL(url).pathname}: ${error instanceof Error ? error.message : String(error)}${cause}`,
    );
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

export class StatuspagePublisher implements Publisher {
  readonly destination = "statuspage" as const;
  private readonly options: StatuspageOptions;
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly apiUrl: string;

  constructor(options: StatuspageOptions) {
    this.options = options;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = options.retry ?? PROVIDER_RETRY;
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
  }

  audiences(): Audience[] {
    return (["internal", "external"] as const).filter((a) => Boolean(this.options.pages[a]));
  }

  async publish(request: PublishRequest): Promise<Published> {
    const pageId = this.options.pages[request.audience];
    if (!pageId)
      throw new ProviderError(
        "statuspage",
        `no Statuspage page is configured for ${request.audience} updates`,
      );
    if (request.body.length > STATUSPAGE_BODY_MAX)
      throw new ProviderError(
        "statuspage",
        `the update is ${request.body.length} characters; Statuspage takes at most ${STATUSPAGE_BODY_MAX}`,
      );
    const componentIds = [
      ...new Set(
        request.products
          .map((product) => this.options.components[request.audience]?.[product])
          .filter((id): id is string => Boolean(id)),
      ),
    ];
    const status = componentStatus(request.status);
    const components = Object.fromEntries(componentIds.map((id) => [id, status]));
    const base = `${this.apiUrl}/v1/pages/${encodeURIComponent(pageId)}/incidents`;

    const retrying = <T>(attempt: () => Promise<T>) =>
      withProviderRetries("statuspage", "Statuspage did not answer", this.retry, attempt, (error) =>
        statusOf(error.message),
      );
    if (request.providerIncidentId) {
      const url = `${base}/${encodeURIComponent(request.providerIncidentId)}`;
      const body = {
        incident: {
          status: request.status,
          body: request.body,
          components,
          component_ids: componentIds,
        },
      };
      return await retrying(async () => {
        const answer = await this.call("PATCH", url, body);
        return this.published(answer, "PATCH");
      });
    }

    const body = {
      incident: {
        name: statuspageIncidentName(request),
        status: request.status,
        body: request.body,
        component_ids: componentIds,
        components,
        deliver_notifications: true,
        metadata: {
          hotdoc: { incident: request.incidentKey, publication: request.publicationId },
        },
      },
    };
    // Set once a create may have reached Statuspage without its answer reaching us.
    let uncertain = false;
    return await retrying(async () => {
      if (uncertain) {
        const adopted = await this.findCreated(base, request.publicationId);
        if (adopted) return adopted;
      }
      try {
        const answer = await this.call("POST", base, body);
        return this.published(answer, "POST");
      } catch (error) {
        // A dropped connection or a 5xx may come after the incident was made; 420/429
        // (rate limited) are refusals before any work.
        if (error instanceof RetryableError && !/ answered 42[09]\b/.test(error.message))
          uncertain = true;
        throw error;
      }
    });
  }

  /**
   * Looks for the incident an earlier create of this publication made although its answer
   * was lost: Statuspage has no idempotency key, so hotdoc tags each incident it creates
   * with `metadata.hotdoc.publication` and searches the page's unresolved incidents
   * (`GET /v1/pages/{page_id}/incidents/unresolved`, first 100) for it. This relies on
   * Statuspage storing the create's `metadata` and returning it on the Incident objects it
   * lists (the OpenAPI's Incident schema has `metadata`), and on the incident being
   * unresolved: a first publication that is already `resolved` is not found this way and
   * may be created twice.
   */
  private async findCreated(base: string, publicationId: string): Promise<Published | null> {
    const answer = await this.call("GET", `${base}/unresolved?per_page=100`);
    if (!Array.isArray(answer.json)) return null;
    const found = (answer.json as IncidentAnswer[]).find(
      (incident) => incident?.metadata?.hotdoc?.publication === publicationId,
    );
    return found ? this.published({ ...answer, json: found }, "GET") : null;
  }

  /** One request; a 2xx answer is returned, a refusal thrown (RetryableError when worth retrying). */
  private async call(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    const answer = await httpAttempt(this.fetch, url, {
      method,
      headers: {
        authorization: `OAuth ${this.options.apiKey}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.options.timeoutMs ?? PROVIDER_TIMEOUT_MS,
    });
    if (answer.status >= 200 && answer.status < 300) return answer;
    const said = messageOf(answer);
    const message = `${method} ${new URL(url).pathname} answered ${answer.status}${said ? `: ${said}` : ""}`;
    if (answer.status === 420 || answer.status === 429) {
      // 1 request/second per token on a 60 s window; no Retry-After is documented, so wait a second at least.
      const asked = retryAfterMs(answer.headers.get("retry-after"));
      throw new RetryableError(message, Math.max(asked ?? 0, 1000));
    }
    if (isRetryableStatus(answer.status))
      throw new RetryableError(message, retryAfterMs(answer.headers.get("retry-after")));
    throw new ProviderError("statuspage", said ? `Statuspage: ${said}` : message, {
      status: answer.status,
      credentialsRejected: answer.status === 401 || answer.status === 403,
    });
  }

  private published(answer: HttpAnswer, method: string): Published {
    const incident = (answer.json ?? {}) as IncidentAnswer;
    if (typeof incident.id !== "string" || !incident.id)
      throw new ProviderError(
        "statuspage",
        `${method} answered ${answer.status} without an incident id`,
        { status: answer.status },
      );
    const update = Array.isArray(incident.incident_updates)
      ? incident.incident_updates[0]
      : undefined;
    return {
      providerIncidentId: incident.id,
      ...(typeof update?.id === "string" ? { providerId: update.id } : {}),
      ...(typeof incident.shortlink === "string" ? { url: incident.shortlink } : {}),
    };
  }
}

/** Statuspage's ErrorEntity `{message}` (a string, or sometimes a list), else the start of the body. */
function messageOf(answer: HttpAnswer): string {
  const json = answer.json as { message?: unknown; error?: unknown } | undefined;
  const said = json?.message ?? json?.error;
  if (typeof said === "string") return said;
  if (Array.isArray(said)) return said.filter((s) => typeof s === "string").join("; ");
  return answer.text.slice(0, 200).trim();
}

function statusOf(message: string): number | null {
  const match = / answered (\d{3})\b/.exec(message);
  return match ? Number(match[1]) : null;
}
