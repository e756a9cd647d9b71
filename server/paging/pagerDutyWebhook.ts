import crypto from "node:crypto";
import { z } from "zod";

/**
 * PagerDuty's v3 webhooks, inbound: the signature and the envelope.
 *
 * Signature (PagerDuty/developer-docs docs/webhooks/04-Signatures.md; go-pagerduty
 * webhookv3/webhookv3.go): `X-PagerDuty-Signature` holds one or more `v1=<hex>` joined by
 * commas (several while a secret rotates); `<hex>` is the lower-case HMAC-SHA256 of the
 * unaltered raw body keyed with the subscription's secret. Any matching v1 entry accepts
 * the request; other versions are ignored; comparison is constant time.
 *
 * Envelope (docs/webhooks/01-Overview.md): `{event: {id, event_type, resource_type,
 * occurred_at, agent, client, data}}`, where `data` is the incident for `incident.*`.
 */

export function verifyPagerDutySignature(
  rawBody: string,
  header: string | undefined,
  secret: string,
): boolean {
  if (!header || !secret) return false;
  const expected = crypto.createHmac("sha256", secret).update(rawBody, "utf8").digest();
  let matched = false;
  for (const part of header.split(",")) {
    const match = /^v1=([0-9a-fA-F]{64})$/.exec(part.trim());
    // Every entry is compared (no early exit), each in constant time.
    if (match && crypto.timingSafeEqual(Buffer.from(match[1], "hex"), expected)) matched = true;
  }
  return matched;
}

type PagerDutyEventType =
  | "incident.acknowledged"
  | "incident.resolved"
  | "incident.unacknowledged"
  | "incident.reopened"
  | (string & {});

export interface PagerDutyEvent {
  eventId: string;
  eventType: PagerDutyEventType;
  /** `data.incident_key`; absent on incidents with child alerts (don't take it for the dedup_key). */
  incidentKey: string | null;
  /** PagerDuty's incident id (`data.id`), the reliable way to correlate. */
  incidentId: string;
  htmlUrl: string;
  title: string;
  /** Who did it (`event.agent.summary`), when a person did. */
  agentName: string | null;
  occurredAt: string;
}

const Envelope = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.literal("incident"),
    occurred_at: z.string().min(1),
    agent: z.object({ summary: z.string().optional() }).nullable().optional().catch(null),
    data: z.object({
      id: z.string().min(1),
      type: z.literal("incident"),
      html_url: z.string(),
      title: z.string(),
      incident_key: z.string().nullable().optional().catch(null),
    }),
  }),
});

/** The incident event of a v3 webhook body, or null for anything else (never throws). */
export function parsePagerDutyWebhook(json: unknown): PagerDutyEvent | null {
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) return null;
  const { event } = parsed.data;
  return {
    eventId: event.id,
    eventType: event.event_type,
    incidentKey: event.data.incident_key ?? null,
    incidentId: event.data.id,
    htmlUrl: event.data.html_url,
    title: event.data.title,
    agentName: event.agent?.summary ?? null,
    occurredAt: event.occurred_at,
  };
}
