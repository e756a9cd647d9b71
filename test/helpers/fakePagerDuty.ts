import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for PagerDuty's Events API v2 (POST /v2/enqueue), checking events the
 * way PagerDuty documents them. Sources (copies and citations in
 * test/fixtures/paging/pagerduty-events-v2.json):
 *
 * - Required fields, enums, 202 body: PagerDuty/api-schema@91a06fb3
 *   reference/events-v2/openapiv3.json; limits (summary ≤ 1024, dedup_key ≤ 255, routing
 *   key 32 characters) and deduplication: PagerDuty/developer-docs@94224391
 *   docs/events-API-v2/02-Trigger-Events.md ("Alert De-Duplication": a trigger on an open
 *   alert with the same dedup_key and routing_key adds to it; ack/resolve of a key with no
 *   open alert are dropped, still accepted).
 * - 400 bodies: `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`
 *   as PagerDuty's v2 docs page showed it (https://v2.developer.pagerduty.com/docs/send-an-event-events-api-v2,
 *   400 example) and PagerDuty/go-pdagent pkg/eventqueue/processor_test.go. The error texts
 *   "Length of 'routing_key' is incorrect (should be 32 characters)" and
 *   "'event_action' is missing or blank": go-pagerduty event_v2_test.go; "'payload.severity'
 *   is invalid (must be one of …)": go-pdagent processor_test.go. Texts for the other checks
 *   are hotdoc's, in that style (PagerDuty's are not published).
 * - Body that is not JSON: the spec's Error example ("Unrecognized object", "JSON parse error").
 * - An unknown but well-formed routing key: PagerDuty does not document it. Users report a 400
 *   "Invalid routing key" (robusta-dev/robusta#571); the fake answers that inside the
 *   documented 400 envelope.
 */
const FIXTURE = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-events-v2.json", import.meta.url), "utf8"),
);
const SEVERITIES = ["critical", "error", "warning", "info"];
const ACTIONS = ["trigger", "acknowledge", "resolve"];

interface FakePagerDutyAlert {
  routingKey: string;
  dedupKey: string;
  status: "triggered" | "acknowledged" | "resolved";
  /** Triggers PagerDuty counted into this alert (1 + deduplicated ones). */
  triggers: number;
  /** The event that opened the alert. */
  event: Record<string, unknown>;
}

interface FakePagerDutyCall {
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakePagerDuty {
  url: string;
  /** Every alert, open and resolved, in order of creation. */
  alerts(): FakePagerDutyAlert[];
  calls: FakePagerDutyCall[];
  /** The next `n` requests get this answer instead (an outage, a throttle). */
  failNext(n: number, answer: { status: number; body?: unknown }): void;
  close(): Promise<void>;
}

/** A 32-character routing key, as PagerDuty's integration keys are. */
export function routingKey(seed: string = crypto.randomUUID()): string {
  return crypto.createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

export async function startFakePagerDuty(options: {
  routingKeys: string[];
}): Promise<FakePagerDuty> {
  const keys = new Set(options.routingKeys);
  const alerts: FakePagerDutyAlert[] = [];
  const calls: FakePagerDutyCall[] = [];
  const failures: { status: number; body?: unknown }[] = [];

  const answer = (
    res: http.ServerResponse,
    call: FakePagerDutyCall,
    status: number,
    body: unknown,
  ) => {
    call.status = status;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const invalid = (errors: string[]) => ({
    status: "invalid event",
    message: "Event object is invalid",
    errors,
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const call: FakePagerDutyCall = {
        path: req.url ?? "",
        status: 0,
        headers: req.headers,
        body,
      };
      calls.push(call);
      const failure = failures.shift();
      if (failure) return answer(res, call, failure.status, failure.body ?? {});
      if (req.method !== "POST" || req.url !== "/v2/enqueue")
        return answer(res, call, 404, { status: "not found" });
      if (
        !/^application\/json\b/i.test(req.headers["content-type"] ?? "") ||
        typeof body !== "object" ||
        body === null ||
        Array.isArray(body)
      )
        return answer(res, call, 400, FIXTURE.response_error_openapi_example.body);
      const event = body as Record<string, unknown>;
      const errors: string[] = [];
      const key = event.routing_key;
      if (typeof key !== "string" || key.length !== 32)
        errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
      const action = event.event_action;
      if (typeof action !== "string" || action === "")
        errors.push("'event_action' is missing or blank");
      else if (!ACTIONS.includes(action))
        errors.push(
          "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
        );
      const dedup = event.dedup_key;
      if (dedup !== undefined && (typeof dedup !== "string" || dedup.length > 255))
        errors.push("'dedup_key' is too long (should be at most 255 characters)");
      if (action === "trigger") {
        const payload = (event.payload ?? {}) as Record<string, unknown>;
        for (const field of ["summary", "source", "severity"])
          if (typeof payload[field] !== "string" || payload[field] === "")
            errors.push(`'payload.${field}' is missing or blank`);
        if (
          typeof payload.severity === "string" &&
          payload.severity !== "" &&
          !SEVERITIES.includes(payload.severity)
        )
          errors.push(
            "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
          );
        if (typeof payload.summary === "string" && payload.summary.length > 1024)
          errors.push("'payload.summary' is too long (should be at most 1024 characters)");
      } else if (action === "acknowledge" || action === "resolve") {
        if (typeof dedup !== "string" || dedup === "")
          errors.push("'dedup_key' is missing or blank");
      }
      if (errors.length > 0) return answer(res, call, 400, invalid(errors));
      if (!keys.has(key as string)) return answer(res, call, 400, invalid(["Invalid routing key"]));

      const dedupKey = typeof dedup === "string" ? dedup : crypto.randomUUID().replaceAll("-", "");
      const open = alerts.find(
        (a) => a.routingKey === key && a.dedupKey === dedupKey && a.status !== "resolved",
      );
      if (action === "trigger") {
        if (open) open.triggers += 1;
        else
          alerts.push({
            routingKey: key as string,
            dedupKey,
            status: "triggered",
            triggers: 1,
            event,
          });
      } else if (open) {
        // Ack/resolve of a key with no open alert is dropped (still 202).
        open.status = action === "resolve" ? "resolved" : "acknowledged";
      }
      return answer(res, call, 202, { ...FIXTURE.response_202_success.body, dedup_key: dedupKey });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    alerts: () => alerts.map((a) => ({ ...a })),
    calls,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const WEBHOOK_FIXTURE = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-webhook-v3.json", import.meta.url), "utf8"),
);

/**
 * Posts a v3 webhook to `url` the way PagerDuty delivers one: the documented envelope
 * (docs/webhooks/01-Overview.md example, fixture `incident_priority_updated_docs`) with
 * `event` merged over it, signed `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, raw
 * body)>` (docs/webhooks/04-Signatures.md), with an `X-Webhook-Id` that repeats on
 * redelivery (docs/webhooks/02-Behavior.md), and the `User-Agent: PagerDuty-Webhook/V3.0` and
 * `X-Webhook-Subscription` of a real delivery (https://support.pagerduty.com/docs/webhooks;
 * the captured request headers in n8n's PagerDuty webhook docs). Returns the answer and
 * what was sent.
 */
export async function sendPagerDutyWebhook(
  url: string,
  secret: string,
  event: {
    event_type?: string;
    id?: string;
    occurred_at?: string;
    agent?: Record<string, unknown> | null;
    data?: Record<string, unknown>;
  } = {},
  options: { webhookId?: string; signature?: string; subscriptionId?: string } = {},
): Promise<{ status: number; text: string; rawBody: string; webhookId: string }> {
  const documented = structuredClone(WEBHOOK_FIXTURE.incident_priority_updated_docs.body.event);
  const envelope = {
    event: {
      ...documented,
      ...event,
      data: { ...documented.data, ...(event.data ?? {}) },
    },
  };
  const rawBody = JSON.stringify(envelope);
  const mac = crypto.createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
  const webhookId = options.webhookId ?? crypto.randomUUID();
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-pagerduty-signature": options.signature ?? `v1=${mac}`,
      "x-webhook-id": webhookId,
      "x-webhook-subscription": options.subscriptionId ?? "PXSUIZH",
      "user-agent": "PagerDuty-Webhook/V3.0",
    },
    body: rawBody,
  });
  return { status: response.status, text: await response.text(), rawBody, webhookId };
}
