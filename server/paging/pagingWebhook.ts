import {
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
} from "../net/retrying.ts";
import { signedHeaders } from "./hotdocSignature.ts";
import { postToProvider, withProviderRetries } from "./providerHttp.ts";
import {
  type PageAccepted,
  type PageRequest,
  type PageRoute,
  type Pager,
  PROVIDER_RETRY,
  ProviderError,
} from "./types.ts";

/**
 * Pages through a team's own endpoint: a JSON POST signed the way hotdocSignature.ts
 * describes. Any 2xx takes the page; 429, 5xx, a dropped connection or a timeout is
 * retried (each attempt freshly signed, the body unchanged); any other 4xx is final
 * (401/403: the receiver refuses hotdoc's secret).
 */
export interface WebhookPagerOptions {
  secret: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
}

export interface WebhookPage {
  type: "page.trigger" | "page.resolve";
  /** The page's dedup key: the same on every retry and every trigger of one page. */
  id: string;
  incident: { key: string; summary: string; severity: number; service: string; url: string };
  team: string;
  note: string;
  requestedBy: string;
  room?: string;
  sentAt: string;
}

function webhookPageBody(
  type: WebhookPage["type"],
  page: PageRequest,
  now: Date = new Date(),
): WebhookPage {
  return {
    type,
    id: page.dedupKey,
    incident: {
      key: page.incidentKey,
      summary: page.summary,
      severity: page.severity,
      service: page.service,
      url: page.incidentUrl,
    },
    team: page.team,
    note: page.note,
    requestedBy: page.requestedBy,
    ...(page.roomUrl ? { room: page.roomUrl } : {}),
    sentAt: now.toISOString(),
  };
}

export class WebhookPager implements Pager {
  readonly provider = "webhook" as const;
  readonly #secret: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;

  constructor(options: WebhookPagerOptions) {
    this.#secret = options.secret;
    this.#fetch = options.fetch ?? fetch;
    this.#retry = options.retry ?? PROVIDER_RETRY;
  }

  async trigger(route: PageRoute, page: PageRequest): Promise<PageAccepted> {
    await this.#post(urlOf(route), webhookPageBody("page.trigger", page));
    return { reference: page.dedupKey };
  }

  async resolve(route: PageRoute, page: PageRequest): Promise<void> {
    await this.#post(urlOf(route), webhookPageBody("page.resolve", page));
  }

  async #post(url: string, payload: WebhookPage): Promise<void> {
    const body = JSON.stringify(payload);
    const host = safeHost(url);
    await withProviderRetries("webhook", "gave up", this.#retry, async (seen) => {
      seen.status = null;
      const response = await postToProvider(
        this.#fetch,
        host,
        url,
        signedHeaders(this.#secret, body),
        body,
      );
      const text = response.text;
      seen.status = response.status;
      if (response.status >= 200 && response.status < 300) return;
      const said = text.trim().slice(0, 300);
      const message = `${host} answered ${response.status}${said ? `: ${said}` : ""}`;
      if (isRetryableStatus(response.status))
        throw new RetryableError(message, retryAfterMs(response.headers.get("retry-after")));
      throw new ProviderError("webhook", message, {
        status: response.status,
        credentialsRejected: response.status === 401 || response.status === 403,
      });
    });
  }
}

function urlOf(route: PageRoute): string {
  if (route.provider !== "webhook")
    throw new ProviderError("webhook", `a ${route.provider} route was given to the webhook pager`);
  return route.url;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the webhook";
  }
}
