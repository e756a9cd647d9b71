import {
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
} from "../net/retrying.ts";
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
 * Pages through PagerDuty's Events API v2 (POST /v2/enqueue; the routing key in the body
 * is the only credential). Sources, in test/fixtures/paging/pagerduty-events-v2.json and
 * /tmp/research/paging.md §1: PagerDuty/api-schema reference/events-v2/openapiv3.json and
 * PagerDuty/developer-docs docs/events-API-v2/{01-Overview,02-Trigger-Events}.md.
 *
 * - Only 202 is success (go-pagerduty treats every other status as an error).
 * - 400 is an invalid event: never retried. PagerDuty answers a wrong routing key with a
 *   400 naming `routing_key` (go-pagerduty's fixture "Length of 'routing_key' is incorrect")
 *   or "Invalid routing key" (reported by users; not in PagerDuty's docs): those, and
 *   401/403/404, say the configuration is wrong (credentialsRejected).
 * - 429, 5xx, a dropped connection or a timeout is retried; PagerDuty documents no
 *   Retry-After, so our own backoff decides (one sent is still honoured).
 */
const SEVERITY = { 1: "critical", 2: "error", 3: "warning" } as const;
const SUMMARY_MAX = 1024;

export interface PagerDutyPagerOptions {
  /** https://events.pagerduty.com (or a local fake), without a trailing slash. */
  eventsUrl: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
}

/** Cuts `text` to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** The Events API v2 trigger event for a page. */
function pagerDutyTriggerEvent(routingKey: string, page: PageRequest) {
  const links = [{ href: page.incidentUrl, text: `${page.incidentKey} in hotdoc` }];
  if (page.roomUrl) links.push({ href: page.roomUrl, text: `${page.incidentKey} chat room` });
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: page.dedupKey,
    payload: {
      summary: truncateChars(
        `${page.incidentKey} SEV${page.severity}: ${page.summary}`,
        SUMMARY_MAX,
      ),
      source: "hotdoc",
      severity: SEVERITY[page.severity],
      component: page.service,
      group: page.team,
      class: "incident",
      custom_details: {
        incident: page.incidentKey,
        note: page.note,
        service: page.service,
        requested_by: page.requestedBy,
        incident_url: page.incidentUrl,
        ...(page.roomUrl ? { room: page.roomUrl } : {}),
      },
    },
    links,
    client: "hotdoc",
    client_url: page.incidentUrl,
  };
}

export class PagerDutyPager implements Pager {
  readonly provider = "pagerduty" as const;
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;

  constructor(options: PagerDutyPagerOptions) {
    this.#url = `${options.eventsUrl.replace(/\/+$/, "")}/v2/enqueue`;
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? PROVIDER_RETRY;
  }

  async trigger(route: PageRoute, page: PageRequest): Promise<PageAccepted> {
    const json = await this.#send(pagerDutyTriggerEvent(routingKeyOf(route), page));
    return { reference: typeof json.dedup_key === "string" ? json.dedup_key : page.dedupKey };
  }

  async resolve(route: PageRoute, page: PageRequest): Promise<void> {
    // Resolving an alert that is not open is dropped by PagerDuty, still with a 202.
    await this.#send({
      routing_key: routingKeyOf(route),
      dedup_key: page.dedupKey,
      event_action: "resolve",
    });
  }

  async #send(event: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(event);
    return await withProviderRetries("pagerduty", "gave up", this.#retry, async (seen) => {
      seen.status = null;
      const response = await postToProvider(this.#fetch, "PagerDuty", this.#url, {}, body);
      const text = response.text;
      const json = parseObject(text);
      seen.status = response.status;
      if (response.status === 202) return json;
      const said = pagerDutyWords(json, text);
      const message = `PagerDuty answered ${response.status}${said ? `: ${said}` : ""}`;
      if (isRetryableStatus(response.status))
        throw new RetryableError(message, retryAfterMs(response.headers.get("retry-after")));
      const keyRejected =
        response.status === 401 ||
        response.status === 403 ||
        response.status === 404 ||
        (response.status === 400 && /routing[ _]?key/i.test(said));
      throw new ProviderError("pagerduty", message, {
        status: response.status,
        credentialsRejected: keyRejected,
      });
    });
  }
}

function routingKeyOf(route: PageRoute): string {
  if (route.provider !== "pagerduty")
    throw new ProviderError("pagerduty", `a ${route.provider} route was given to PagerDuty`);
  return route.routingKey;
}

/** PagerDuty's own words: `message: errors…` of its {status, message, errors[]} body. */
function pagerDutyWords(json: Record<string, unknown>, text: string): string {
  const message = typeof json.message === "string" ? json.message : "";
  const errors = Array.isArray(json.errors)
    ? json.errors.filter((e): e is string => typeof e === "string")
    : [];
  const words = [message, errors.join("; ")].filter(Boolean).join(": ");
  return words || text.trim().slice(0, 300);
}
