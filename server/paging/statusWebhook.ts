import {
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
} from "../net/retrying.ts";
import { signedHeaders } from "./hotdocSignature.ts";
import { withProviderRetries } from "./providerHttp.ts";
import { httpAttempt } from "./statuspage.ts";
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
 * Publishes comms updates to a generic status webhook (STATUS_WEBHOOK_URL) for status
 * tools hotdoc has no client for: a signed JSON POST (hotdocSignature.ts) per update,
 * `id` being the publication's id, so a receiver deduplicates a retried delivery on it.
 */

export interface StatusWebhookOptions {
  url: string;
  secret: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** The body POSTed for one update. */
interface StatusWebhookBody {
  type: "status.update";
  id: string;
  incident: { key: string; url: string };
  audience: Audience;
  status: PublishRequest["status"];
  title: string;
  body: string;
  products: string[];
}

export class WebhookPublisher implements Publisher {
  readonly destination = "webhook" as const;
  private readonly options: StatusWebhookOptions;
  private readonly fetch: typeof fetch;

  constructor(options: StatusWebhookOptions) {
    this.options = options;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  audiences(): Audience[] {
    return ["internal", "external"];
  }

  async publish(request: PublishRequest): Promise<Published> {
    const payload: StatusWebhookBody = {
      type: "status.update",
      id: request.publicationId,
      incident: { key: request.incidentKey, url: request.incidentUrl },
      audience: request.audience,
      status: request.status,
      title: request.title,
      body: request.body,
      products: request.products,
    };
    const raw = JSON.stringify(payload);
    await withProviderRetries(
      "webhook",
      "the status webhook did not take the update",
      this.options.retry ?? PROVIDER_RETRY,
      async (seen) => {
        // Signed per attempt: the timestamp is the attempt's, so a late retry is not refused as stale.
        const answer = await httpAttempt(this.fetch, this.options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...signedHeaders(this.options.secret, raw),
          },
          body: raw,
          timeoutMs: this.options.timeoutMs ?? PROVIDER_TIMEOUT_MS,
        });
        seen.status = answer.status;
        if (answer.status >= 200 && answer.status < 300) return;
        const said = answer.text.slice(0, 200).trim();
        const message = `the status webhook answered ${answer.status}${said ? `: ${said}` : ""}`;
        if (isRetryableStatus(answer.status))
          throw new RetryableError(message, retryAfterMs(answer.headers.get("retry-after")));
        throw new ProviderError("webhook", message, {
          status: answer.status,
          credentialsRejected: answer.status === 401 || answer.status === 403,
        });
      },
    );
    return { providerId: request.publicationId };
  }
}
