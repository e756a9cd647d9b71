import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for a Teams Workflows webhook ("Post to a channel when a webhook request
 * is received") on 127.0.0.1, checking requests the way the real one does:
 *
 * - The URL is a workflow trigger's callback URL, authorised by its query alone, in the
 *   shape of Microsoft's example (Get-AzLogicAppTriggerCallbackUrl,
 *   https://learn.microsoft.com/powershell/module/az.logicapp/get-azlogicapptriggercallbackurl):
 *   `/workflows/<id>/triggers/manual/run?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=<value>`.
 *   A request without the right `sig` gets 401.
 * - The body is JSON, a message carrying Adaptive Cards, with the fields Microsoft's
 *   checklist requires ("Send Adaptive Cards using an Incoming Webhook",
 *   MicrosoftDocs/msteams-docs msteams-platform/webhooks-and-connectors/how-to/connectors-using.md):
 *   `type` "message", an `attachments` array, each with `contentType`
 *   "application/vnd.microsoft.card.adaptive" and a `content` card (`type`
 *   "AdaptiveCard", `version`, `body`). Workflows take Adaptive Cards only (same page,
 *   "Known issues"), so a bare `{text}` or a MessageCard is a 400, as is a body over
 *   the 28 KB limit (add-incoming-webhook.md).
 * - A delivery is answered 202 Accepted with an empty body, as Workflows answer
 *   (jenkinsci/office-365-connector-plugin#356, Skitionek/notify-microsoft-teams#98).
 */
export interface FakeTeamsWorkflow {
  /** The workflow's callback URL, signature included. */
  url: string;
  port: number;
  /** Bodies accepted, in order. */
  received: unknown[];
  /** Every request that reached the server, accepted or not. */
  requests: { method: string; path: string; contentType?: string; status: number }[];
  /** Answers the next request with `status` (and Retry-After, in seconds, if given) instead. */
  failNext(status: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

const MAX_BYTES = 28 * 1024;

export async function startFakeTeamsWorkflow(): Promise<FakeTeamsWorkflow> {
  const workflowId = crypto.randomBytes(16).toString("hex");
  const sig = crypto.randomBytes(32).toString("base64url");
  const path = `/workflows/${workflowId}/triggers/manual/run`;
  const received: unknown[] = [];
  const requests: FakeTeamsWorkflow["requests"] = [];
  const failures: { status: number; retryAfterSeconds?: number }[] = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://workflow.invalid");
      const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        requests.push({
          method: request.method ?? "",
          path: url.pathname,
          contentType: request.headers["content-type"],
          status,
        });
        if (body === undefined) {
          response.writeHead(status, headers).end();
        } else {
          response
            .writeHead(status, { ...headers, "content-type": "application/json" })
            .end(JSON.stringify(body));
        }
      };
      if (request.method !== "POST" || url.pathname !== path) return answer(404);
      if (url.searchParams.get("sig") !== sig || url.searchParams.get("sv") !== "1.0")
        return answer(401, { error: { code: "DirectApiAuthorizationRequired" } });
      const failure = failures.shift();
      if (failure) {
        return answer(
          failure.status,
          { error: { code: "Throttled" } },
          failure.retryAfterSeconds === undefined
            ? {}
            : { "retry-after": String(failure.retryAfterSeconds) },
        );
      }
      const raw = Buffer.concat(chunks);
      const problem = invalidMessage(request.headers["content-type"], raw);
      if (problem)
        return answer(400, { error: { code: "InvalidRequestContent", message: problem } });
      received.push(JSON.parse(raw.toString("utf8")));
      answer(202);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    port,
    received,
    requests,
    failNext(status, retryAfterSeconds) {
      failures.push({ status, retryAfterSeconds });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Why a body is not a message a Workflows webhook posts, or null when it is one. */
function invalidMessage(contentType: string | undefined, raw: Buffer): string | null {
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? ""))
    return `content type must be application/json, not ${contentType ?? "(none)"}`;
  if (raw.length > MAX_BYTES) return `the message is ${raw.length} bytes, over 28 KB`;
  let message: unknown;
  try {
    message = JSON.parse(raw.toString("utf8"));
  } catch {
    return "the body is not JSON";
  }
  if (!isObject(message) || message.type !== "message") return 'type must be "message"';
  const { attachments } = message;
  if (!Array.isArray(attachments) || attachments.length === 0)
    return "attachments must be a non-empty array of cards";
  for (const attachment of attachments) {
    if (!isObject(attachment)) return "an attachment must be an object";
    if (attachment.contentType !== "application/vnd.microsoft.card.adaptive")
      return "contentType must be application/vnd.microsoft.card.adaptive";
    const card = attachment.content;
    if (!isObject(card) || card.type !== "AdaptiveCard")
      return 'content must be a card of type "AdaptiveCard"';
    if (typeof card.version !== "string") return "the card needs its version";
    if (!Array.isArray(card.body)) return "the card needs a body";
    for (const element of card.body) {
      if (!isObject(element) || typeof element.type !== "string")
        return "every body element needs a type";
      if (element.type === "TextBlock" && typeof element.text !== "string")
        return "a TextBlock needs its text";
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
