import nodemailer, { type Transporter } from "nodemailer";
import { RetryableError, type RetryPolicy, withRetries } from "../net/retrying.ts";
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
 * Publishes internal comms updates to an email distribution list over SMTP (nodemailer).
 * The subject carries the incident key (the handbook: the key is in every internal
 * communication's subject); the text part is the update exactly as drafted and a link
 * to the incident; the HTML part is the same text, escaped, so nothing anyone wrote
 * becomes markup. Replies go to `replyTo` (or the sender) so staff can ask questions.
 * The Message-ID is derived from the publication, so sending the same publication twice
 * is the same message to anything that deduplicates on it.
 */

export interface EmailOptions {
  /** smtp://user:pass@host:port or smtps://…; query options (`?ignoreTLS=true`) are nodemailer's. */
  smtpUrl: string;
  to: string;
  from: string;
  replyTo: string | null;
  transport?: Transporter;
  retry?: RetryPolicy;
}

/** Error codes nodemailer gives a connection that failed or dropped before an SMTP reply. */
const CONNECTION_CODES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
]);

/** The subject: the title with the incident key, `[HOT-12] …` when the title lacks it. */
function emailSubject(request: PublishRequest): string {
  const title = request.title.replace(/\s+/g, " ").trim();
  if (title.includes(request.incidentKey)) return title;
  return title ? `[${request.incidentKey}] ${title}` : `[${request.incidentKey}]`;
}

/** The text part: the body exactly as drafted, then where the incident is. */
function emailText(request: PublishRequest): string {
  return `${request.body}\n\n${request.incidentKey} in hotdoc: ${request.incidentUrl}`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * The HTML part: the body's paragraphs (blank-line separated) as <p>, runs of "- " or
 * "* " lines as <ul>, every character escaped; then the link to the incident.
 */
function emailHtml(request: PublishRequest): string {
  const blocks: string[] = [];
  for (const paragraph of request.body.replace(/\r\n?/g, "\n").split(/\n{2,}/)) {
    const lines = paragraph.split("\n").filter((line) => line.trim() !== "");
    let text: string[] = [];
    let items: string[] = [];
    const flushText = () => {
      if (text.length) blocks.push(`<p>${text.map(escapeHtml).join("<br>\n")}</p>`);
      text = [];
    };
    const flushItems = () => {
      if (items.length)
        blocks.push(
          `<ul>\n${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("\n")}\n</ul>`,
        );
      items = [];
    };
    for (const line of lines) {
      const item = /^\s*[-*•]\s+(.*)$/.exec(line);
      if (item) {
        flushText();
        items.push(item[1]);
      } else {
        flushItems();
        text.push(line);
      }
    }
    flushText();
    flushItems();
  }
  const url = escapeHtml(request.incidentUrl);
  const link = /^https?:\/\//i.test(request.incidentUrl) ? `<a href="${url}">${url}</a>` : url;
  blocks.push(`<p>${escapeHtml(request.incidentKey)} in hotdoc: ${link}</p>`);
  return `<!doctype html>\n<html><body>\n${blocks.join("\n")}\n</body></html>\n`;
}

/** `<publicationId@hotdoc>`, with anything a message id cannot hold replaced. */
function emailMessageId(publicationId: string): string {
  return `<${publicationId.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g, "_")}@hotdoc>`;
}

export class EmailPublisher implements Publisher {
  readonly destination = "email" as const;
  private readonly options: EmailOptions;
  private readonly transport: Transporter;
  private readonly retry: RetryPolicy;

  constructor(options: EmailOptions) {
    this.options = options;
    this.retry = options.retry ?? PROVIDER_RETRY;
    this.transport =
      options.transport ??
      nodemailer.createTransport({
        url: options.smtpUrl,
        connectionTimeout: PROVIDER_TIMEOUT_MS,
        greetingTimeout: PROVIDER_TIMEOUT_MS,
        socketTimeout: PROVIDER_TIMEOUT_MS,
      });
  }

  audiences(): Audience[] {
    return ["internal"];
  }

  async publish(request: PublishRequest): Promise<Published> {
    if (request.audience !== "internal")
      throw new ProviderError("email", "email carries internal updates only");
    const messageId = emailMessageId(request.publicationId);
    const message = {
      from: this.options.from,
      to: this.options.to,
      replyTo: this.options.replyTo ?? this.options.from,
      subject: emailSubject(request),
      text: emailText(request),
      html: emailHtml(request),
      messageId,
      headers: { "X-Hotdoc-Incident": request.incidentKey },
    };
    let last: { status: number | null } = { status: null };
    try {
      const info = await withRetries(async () => {
        try {
          return await this.transport.sendMail(message);
        } catch (error) {
          const { code, responseCode } = (error ?? {}) as { code?: string; responseCode?: number };
          const text = error instanceof Error ? error.message : String(error);
          last = { status: typeof responseCode === "number" ? responseCode : null };
          if (typeof responseCode === "number" && responseCode >= 500)
            throw new ProviderError("email", `the mail server refused the message: ${text}`, {
              status: responseCode,
              credentialsRejected: responseCode === 535 || responseCode === 530,
            });
          if (
            (typeof responseCode === "number" && responseCode >= 400) ||
            (code !== undefined && CONNECTION_CODES.has(code))
          )
            throw new RetryableError(text);
          throw new ProviderError("email", `the message was not sent: ${text}`, {
            status: last.status,
            credentialsRejected: code === "EAUTH",
          });
        }
      }, this.retry);
      return { providerId: typeof info?.messageId === "string" ? info.messageId : messageId };
    } catch (error) {
      if (error instanceof RetryableError)
        throw new ProviderError(
          "email",
          `the mail server did not take the message: ${error.message}`,
          {
            retryable: true,
            status: last.status,
          },
        );
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
}
