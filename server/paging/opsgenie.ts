import { RetryableError, type RetryPolicy, retryAfterMs } from "../net/retrying.ts";
import { truncateChars } from "./pagerDuty.ts";
import { parseObject, postToProvider, withProviderRetries } from "./providerHttp.ts";
import {
  type PageAccepted,
  type PageRequest,
  type PageRoute,
  type Pager,
  PROVIDER_RETRY,
  ProviderError,
} from "./types.ts";

/**
 * Pages through Opsgenie's Alert API v2. Sources, in test/fixtures/paging/opsgenie-alert-v2.json
 * and /tmp/research/paging.md §3: opsgenie/opsgenie-oas (definitions/alert.yaml, paths/alert.yaml,
 * definitions/common.yaml), opsgenie/opsgenie-go-sdk-v2 (client/client.go, alert/*.go) and
 * https://docs.opsgenie.com/docs/alert-api.
 *
 * - `Authorization: GenieKey <key>`; create is POST /v2/alerts, close is
 *   POST /v2/alerts/{alias}/close?identifierType=alias (the default identifierType is `id`).
 * - Create, ack and close answer 202 {result, took, requestId}: processed asynchronously.
 * - `alias` deduplicates while the alert is open, so a retried create is one alert.
 * - Errors are {message, took, requestId} (+ `errors` on 422). The official SDK retries 429,
 *   every 5xx except 501 and network errors, and nothing else.
 */
const LIMITS = { message: 130, alias: 512, description: 15000, entity: 512, user: 100 };

export interface OpsgeniePagerOptions {
  /** https://api.opsgenie.com (EU: https://api.eu.opsgenie.com), or a local fake. */
  apiUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
}

type OpsgenieRoute = Extract<PageRoute, { provider: "opsgenie" }>;

/** The create-alert body for a page. */
function opsgenieCreateAlert(route: OpsgenieRoute, page: PageRequest) {
  const links = [`hotdoc: ${page.incidentUrl}`];
  if (page.roomUrl) links.push(`Chat room: ${page.roomUrl}`);
  return {
    message: truncateChars(
      `${page.incidentKey} SEV${page.severity}: ${page.summary}`,
      LIMITS.message,
    ),
    alias: page.dedupKey,
    description: truncateChars(
      [page.summary, page.note, links.join("\n")].filter(Boolean).join("\n\n"),
      LIMITS.description,
    ),
    responders: route.responders.map((r) => ({ type: r.type, name: r.name })),
    priority: route.priority ?? (`P${page.severity}` as const),
    source: "hotdoc",
    tags: ["hotdoc", page.incidentKey, `sev${page.severity}`].map((t) => truncateChars(t, 50)),
    details: {
      incident: page.incidentKey,
      service: page.service,
      team: page.team,
      incident_url: page.incidentUrl,
      requested_by: page.requestedBy,
    },
    entity: truncateChars(page.incidentKey, LIMITS.entity),
    user: truncateChars(page.requestedBy, LIMITS.user),
  };
}

export class OpsgeniePager implements Pager {
  readonly provider = "opsgenie" as const;
  readonly #apiUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;

  constructor(options: OpsgeniePagerOptions) {
    this.#apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? PROVIDER_RETRY;
  }

  async trigger(route: PageRoute, page: PageRequest): Promise<PageAccepted> {
    if (page.dedupKey.length > LIMITS.alias)
      throw new ProviderError("opsgenie", `the alias is longer than ${LIMITS.alias} characters`);
    const json = await this.#post("/v2/alerts", opsgenieCreateAlert(opsgenieRoute(route), page));
    return typeof json.requestId === "string" ? { reference: json.requestId } : {};
  }

  async resolve(route: PageRoute, page: PageRequest): Promise<void> {
    opsgenieRoute(route);
    // Closing an alias that is not open still answers 202 (the request status says so).
    await this.#post(`/v2/alerts/${encodeURIComponent(page.dedupKey)}/close?identifierType=alias`, {
      user: "hotdoc",
      source: "hotdoc",
      note: page.note,
    });
  }

  async #post(path: string, payload: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(payload);
    const url = `${this.#apiUrl}${path}`;
    return await withProviderRetries("opsgenie", "gave up", this.#retry, async (seen) => {
      seen.status = null;
      const response = await postToProvider(
        this.#fetch,
        "Opsgenie",
        url,
        { authorization: `GenieKey ${this.#apiKey}` },
        body,
      );
      const text = response.text;
      const json = parseObject(text);
      seen.status = response.status;
      if (response.status === 202) return json;
      const said = opsgenieWords(json, text);
      const message = `Opsgenie answered ${response.status}${said ? `: ${said}` : ""}`;
      if (response.status === 429 || (response.status >= 500 && response.status !== 501))
        throw new RetryableError(message, retryAfterMs(response.headers.get("retry-after")));
      throw new ProviderError("opsgenie", message, {
        status: response.status,
        credentialsRejected: response.status === 401 || response.status === 403,
      });
    });
  }
}

function opsgenieRoute(route: PageRoute): OpsgenieRoute {
  if (route.provider !== "opsgenie")
    throw new ProviderError("opsgenie", `a ${route.provider} route was given to Opsgenie`);
  return route;
}

/** Opsgenie's own words: `message (field: error, …)` of its ErrorResponse. */
function opsgenieWords(json: Record<string, unknown>, text: string): string {
  const message = typeof json.message === "string" ? json.message : "";
  const errors =
    json.errors && typeof json.errors === "object" && !Array.isArray(json.errors)
      ? Object.entries(json.errors as Record<string, unknown>)
          .map(([field, error]) => `${field}: ${String(error)}`)
          .join(", ")
      : "";
  const words = errors ? `${message} (${errors})` : message;
  return words || text.trim().slice(0, 300);
}
