import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetryPolicy } from "../../server/net/retrying.ts";
import { OpsgeniePager } from "../../server/paging/opsgenie.ts";
import { PagerDutyPager } from "../../server/paging/pagerDuty.ts";
import {
  parsePagerDutyWebhook,
  verifyPagerDutySignature,
} from "../../server/paging/pagerDutyWebhook.ts";
import { WebhookPager } from "../../server/paging/pagingWebhook.ts";
import { type PageRequest, type PageRoute, ProviderError } from "../../server/paging/types.ts";
import { type FakeOpsgenie, OPSGENIE_ERRORS, startFakeOpsgenie } from "../helpers/fakeOpsgenie.ts";
import {
  type FakePagerDuty,
  routingKey,
  sendPagerDutyWebhook,
  startFakePagerDuty,
} from "../helpers/fakePagerDuty.ts";
import {
  type FakeWebhookReceiver,
  startFakeWebhookReceiver,
} from "../helpers/fakeWebhookReceiver.ts";

const PD_EVENTS = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-events-v2.json", import.meta.url), "utf8"),
);
const PD_WEBHOOK = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-webhook-v3.json", import.meta.url), "utf8"),
);

const RETRY: RetryPolicy = { attempts: 3, baseMs: 5, maxWaitMs: 1000 };

let counter = 0;
function page(overrides: Partial<PageRequest> = {}): PageRequest {
  counter += 1;
  return {
    incidentKey: `HOT-${counter}`,
    dedupKey: `hotdoc:incident-${counter}:payments-im`,
    summary: "Checkout is returning 502s for a third of requests",
    severity: 1,
    service: "checkout",
    team: "Payments IM",
    note: "declared SEV1",
    incidentUrl: `https://hotdoc.example.com/incidents/HOT-${counter}`,
    roomUrl: `https://chat.example.com/rooms/hot-${counter}`,
    requestedBy: "Ada Lovelace",
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("PagerDuty Events API v2", () => {
  const key = routingKey("payments");
  const route: PageRoute = { provider: "pagerduty", routingKey: key };
  let pd: FakePagerDuty;
  let pager: PagerDutyPager;

  beforeAll(async () => {
    pd = await startFakePagerDuty({ routingKeys: [key] });
    pager = new PagerDutyPager({ eventsUrl: pd.url, retry: RETRY });
  });
  afterAll(() => pd.close());

  it("triggers one alert with the incident key first, then resolves it", async () => {
    const p = page();
    const accepted = await pager.trigger(route, p);
    expect(accepted.reference).toBe(p.dedupKey);
    const alerts = pd.alerts().filter((a) => a.dedupKey === p.dedupKey);
    expect(alerts).toHaveLength(1);
    const event = alerts[0].event as Record<string, any>;
    expect(event.routing_key).toBe(key);
    expect(event.payload.summary).toBe(`${p.incidentKey} SEV1: ${p.summary}`);
    expect(event.payload).toMatchObject({
      source: "hotdoc",
      severity: "critical",
      component: "checkout",
      group: "Payments IM",
      class: "incident",
      custom_details: {
        incident: p.incidentKey,
        note: "declared SEV1",
        service: "checkout",
        requested_by: "Ada Lovelace",
        incident_url: p.incidentUrl,
        room: p.roomUrl,
      },
    });
    expect(event.links).toEqual([
      { href: p.incidentUrl, text: `${p.incidentKey} in hotdoc` },
      { href: p.roomUrl, text: `${p.incidentKey} chat room` },
    ]);
    expect(event).toMatchObject({ client: "hotdoc", client_url: p.incidentUrl });

    await pager.resolve(route, p);
    const resolve = pd.calls.at(-1)?.body;
    expect(resolve).toEqual({ routing_key: key, dedup_key: p.dedupKey, event_action: "resolve" });
    expect(pd.alerts().find((a) => a.dedupKey === p.dedupKey)?.status).toBe("resolved");
    // Resolving again is dropped by PagerDuty (still 202): idempotent.
    await pager.resolve(route, p);
  });

  it("maps severities and cuts the summary at 1024 characters, key first", async () => {
    const p = page({ severity: 3, summary: "x".repeat(2000) });
    await pager.trigger(route, p);
    const event = pd.alerts().find((a) => a.dedupKey === p.dedupKey)!.event as Record<string, any>;
    expect(event.payload.severity).toBe("warning");
    expect(Array.from(event.payload.summary as string)).toHaveLength(1024);
    expect(event.payload.summary.startsWith(`${p.incidentKey} SEV3: xxx`)).toBe(true);
    await pager.trigger(route, page({ severity: 2 }));
    expect((pd.alerts().at(-1)!.event as Record<string, any>).payload.severity).toBe("error");
  });

  it("retries a 500 and a 429, and a second trigger with the same key adds to the one alert", async () => {
    const p = page();
    const before = pd.calls.length;
    pd.failNext(1, { status: 500, body: {} });
    pd.failNext(1, PD_EVENTS.response_429_throttled_sdk);
    await pager.trigger(route, p);
    expect(pd.calls.length - before).toBe(3);
    await pager.trigger(route, p);
    const alerts = pd.alerts().filter((a) => a.dedupKey === p.dedupKey);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].triggers).toBe(2);
    expect(alerts[0].status).toBe("triggered");
  });

  it("gives up on a lasting outage with a retryable ProviderError", async () => {
    const before = pd.calls.length;
    pd.failNext(3, { status: 503, body: {} });
    const error = await refusal(pager.trigger(route, page()));
    expect(error).toMatchObject({ provider: "pagerduty", status: 503, retryable: true });
    expect(pd.calls.length - before).toBe(3);
  });

  it("reports a 400 in PagerDuty's words without retrying", async () => {
    const before = pd.calls.length;
    const body = PD_EVENTS.response_error_openapi_example.body;
    pd.failNext(1, { status: 400, body });
    const error = await refusal(pager.trigger(route, page()));
    expect(pd.calls.length - before).toBe(1);
    expect(error.message).toContain("Event object format is unrecognized: JSON parse error");
    expect(error).toMatchObject({ status: 400, retryable: false, credentialsRejected: false });
  });

  it("a dedup key over 255 characters is refused by the fake as PagerDuty documents", async () => {
    const error = await refusal(pager.trigger(route, page({ dedupKey: "k".repeat(256) })));
    expect(error.message).toContain("Event object is invalid");
    expect(error.message).toContain("dedup_key");
    expect(error.retryable).toBe(false);
  });

  it("a wrong routing key is credentialsRejected", async () => {
    const unknown = await refusal(
      pager.trigger({ provider: "pagerduty", routingKey: routingKey("nobody") }, page()),
    );
    expect(unknown).toMatchObject({ status: 400, credentialsRejected: true, retryable: false });
    expect(unknown.message).toContain("Invalid routing key");
    const short = await refusal(
      pager.trigger({ provider: "pagerduty", routingKey: "short" }, page()),
    );
    expect(short.credentialsRejected).toBe(true);
    expect(short.message).toContain("Length of 'routing_key' is incorrect");
    pd.failNext(1, { status: 403, body: {} });
    expect((await refusal(pager.trigger(route, page()))).credentialsRejected).toBe(true);
  });

  it("a server that is gone is a retryable ProviderError", async () => {
    const gone = await startFakePagerDuty({ routingKeys: [key] });
    await gone.close();
    const error = await refusal(
      new PagerDutyPager({ eventsUrl: gone.url, retry: RETRY }).trigger(route, page()),
    );
    expect(error).toMatchObject({ retryable: true, status: null });
  });
});

describe("PagerDuty v3 webhooks", () => {
  const vector = PD_WEBHOOK.signed_test_vector;

  it("accepts go-pagerduty's test vector and refuses tampering", () => {
    expect(
      verifyPagerDutySignature(vector.raw_body, vector.valid_signature_header, vector.secret),
    ).toBe(true);
    // Several signatures during a secret rotation: any one matching is enough.
    expect(
      verifyPagerDutySignature(
        vector.raw_body,
        `${vector.mismatching_signature_header},${vector.valid_signature_header}`,
        vector.secret,
      ),
    ).toBe(true);
    expect(
      verifyPagerDutySignature(vector.raw_body, vector.mismatching_signature_header, vector.secret),
    ).toBe(false);
    expect(
      verifyPagerDutySignature(
        vector.raw_body.replace("A little bump", "A large bump"),
        vector.valid_signature_header,
        vector.secret,
      ),
    ).toBe(false);
    expect(
      verifyPagerDutySignature(vector.raw_body, vector.valid_signature_header, "wrong secret"),
    ).toBe(false);
    expect(verifyPagerDutySignature(vector.raw_body, undefined, vector.secret)).toBe(false);
    expect(verifyPagerDutySignature(vector.raw_body, "", vector.secret)).toBe(false);
    expect(
      verifyPagerDutySignature(
        vector.raw_body,
        vector.valid_signature_header.replace("v1=", "v2="),
        vector.secret,
      ),
    ).toBe(false);
  });

  it("reads the documented envelope", () => {
    expect(parsePagerDutyWebhook(PD_WEBHOOK.incident_priority_updated_docs.body)).toEqual({
      eventId: "5ac64822-4adc-4fda-ade0-410becf0de4f",
      eventType: "incident.priority_updated",
      incidentKey: "d3640fbd41094207a1c11e58e46b1662",
      incidentId: "PGR0VU2",
      htmlUrl: "https://acme.pagerduty.com/incidents/PGR0VU2",
      title: "A little bump in the road",
      agentName: "Tenex Engineer",
      occurredAt: "2020-10-02T18:45:22.169Z",
    });
    // go-pagerduty's signed body has no incident_key.
    expect(parsePagerDutyWebhook(JSON.parse(vector.raw_body))).toMatchObject({
      eventId: "01BWDWL3NYY7LUFPZCC28QUCMK",
      incidentKey: null,
      agentName: "Tenex Engineer",
    });
    expect(
      parsePagerDutyWebhook(PD_WEBHOOK.DERIVED_NOT_VERBATIM.incident_resolved)?.eventType,
    ).toBe("incident.resolved");
    // A service event, an agentless event, and junk.
    expect(parsePagerDutyWebhook(PD_WEBHOOK.service_updated_docs.body)).toBeNull();
    const agentless = structuredClone(PD_WEBHOOK.DERIVED_NOT_VERBATIM.incident_acknowledged);
    agentless.event.agent = null;
    expect(parsePagerDutyWebhook(agentless)).toMatchObject({
      agentName: null,
      eventType: "incident.acknowledged",
    });
    for (const junk of [null, "x", 1, [], {}, { event: {} }, { event: { id: 1 } }])
      expect(parsePagerDutyWebhook(junk)).toBeNull();
  });

  it("sendPagerDutyWebhook signs as PagerDuty does", async () => {
    const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/pagerduty`;
      const sent = await sendPagerDutyWebhook(url, "a-test-secret-123", {
        event_type: "incident.acknowledged",
        data: { status: "acknowledged", incident_key: "hotdoc:incident-1:payments-im" },
      });
      expect(sent.status).toBe(202);
      const [got] = received;
      expect(got.raw).toBe(sent.rawBody);
      expect(got.headers["x-webhook-id"]).toBe(sent.webhookId);
      const signature = got.headers["x-pagerduty-signature"] as string;
      expect(verifyPagerDutySignature(got.raw, signature, "a-test-secret-123")).toBe(true);
      expect(verifyPagerDutySignature(got.raw, signature, "another-secret")).toBe(false);
      expect(parsePagerDutyWebhook(JSON.parse(got.raw))).toMatchObject({
        eventType: "incident.acknowledged",
        incidentKey: "hotdoc:incident-1:payments-im",
        incidentId: "PGR0VU2",
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("Opsgenie Alert API v2", () => {
  const apiKey = "eb243592-faa2-4ba2-a551-1afdf565c889";
  const route: PageRoute = {
    provider: "opsgenie",
    responders: [
      { type: "team", name: "Payments" },
      { type: "schedule", name: "Payments IM rota" },
    ],
  };
  let og: FakeOpsgenie;
  let pager: OpsgeniePager;

  beforeAll(async () => {
    og = await startFakeOpsgenie({ apiKey });
    pager = new OpsgeniePager({ apiUrl: og.url, apiKey, retry: RETRY });
  });
  afterAll(() => og.close());

  it("creates one alert with the key first, then closes it by alias", async () => {
    const p = page({ dedupKey: "hotdoc:incident/with spaces?&" });
    const accepted = await pager.trigger(route, p);
    const create = og.calls.at(-1);
    expect(create?.headers.authorization).toBe(`GenieKey ${apiKey}`);
    expect(accepted.reference).toMatch(/^[0-9a-f-]{36}$/);
    const alerts = og.alerts().filter((a) => a.alias === p.dedupKey);
    expect(alerts).toHaveLength(1);
    const body = alerts[0].body as Record<string, any>;
    expect(body.message).toBe(`${p.incidentKey} SEV1: ${p.summary}`);
    expect(body).toMatchObject({
      alias: p.dedupKey,
      responders: route.responders,
      priority: "P1",
      source: "hotdoc",
      tags: ["hotdoc", p.incidentKey, "sev1"],
      details: {
        incident: p.incidentKey,
        service: "checkout",
        team: "Payments IM",
        incident_url: p.incidentUrl,
        requested_by: "Ada Lovelace",
      },
      entity: p.incidentKey,
      user: "Ada Lovelace",
    });
    expect(body.description).toContain(p.summary);
    expect(body.description).toContain("declared SEV1");
    expect(body.description).toContain(p.incidentUrl);
    expect(body.description).toContain(p.roomUrl);
    for (const value of Object.values(body.details)) expect(typeof value).toBe("string");

    await pager.resolve(route, { ...p, note: "incident resolved" });
    expect(og.calls.at(-1)?.path).toBe(
      `/v2/alerts/${encodeURIComponent(p.dedupKey)}/close?identifierType=alias`,
    );
    const closed = og.alerts().find((a) => a.alias === p.dedupKey);
    expect(closed?.status).toBe("closed");
    expect(closed?.closedWith).toEqual({
      user: "hotdoc",
      source: "hotdoc",
      note: "incident resolved",
    });
  });

  it("uses the route's priority, else P1..P3 by severity, and keeps the message ≤ 130", async () => {
    const long = page({ severity: 3, summary: "y".repeat(500) });
    await pager.trigger(route, long);
    const body = og.alerts().find((a) => a.alias === long.dedupKey)!.body as Record<string, any>;
    expect(body.priority).toBe("P3");
    expect(Array.from(body.message as string)).toHaveLength(130);
    expect(body.message.startsWith(`${long.incidentKey} SEV3: `)).toBe(true);
    const routed = page({ severity: 2 });
    await pager.trigger({ ...route, priority: "P5" }, routed);
    expect((og.alerts().find((a) => a.alias === routed.dedupKey)!.body as any).priority).toBe("P5");
  });

  it("retries a 500 and a 429; the same alias again counts into one alert", async () => {
    const p = page();
    const before = og.calls.length;
    og.failNext(1, OPSGENIE_ERRORS.serverError);
    og.failNext(1, OPSGENIE_ERRORS.throttled);
    await pager.trigger(route, p);
    expect(og.calls.length - before).toBe(3);
    await pager.trigger(route, p);
    const alerts = og.alerts().filter((a) => a.alias === p.dedupKey);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].count).toBe(2);
  });

  it("does not retry a 501, and gives up on lasting 503s as retryable", async () => {
    let before = og.calls.length;
    og.failNext(1, { status: 501, body: { message: "Not Implemented" } });
    const notImplemented = await refusal(pager.trigger(route, page()));
    expect(og.calls.length - before).toBe(1);
    expect(notImplemented.retryable).toBe(false);
    before = og.calls.length;
    og.failNext(3, { status: 503, body: OPSGENIE_ERRORS.serverError.body });
    const down = await refusal(pager.trigger(route, page()));
    expect(og.calls.length - before).toBe(3);
    expect(down).toMatchObject({ retryable: true, status: 503 });
  });

  it("reports a 422 with Opsgenie's message and errors, without retrying", async () => {
    const before = og.calls.length;
    og.failNext(1, OPSGENIE_ERRORS.unprocessable);
    const error = await refusal(pager.trigger(route, page()));
    expect(og.calls.length - before).toBe(1);
    expect(error.message).toContain("Request body is not processable. Please check the errors.");
    expect(error.message).toContain("recipients#type: Invalid recipient type 'bb'");
    expect(error).toMatchObject({ status: 422, retryable: false, credentialsRejected: false });
    // The fake's own check, for a responder type Opsgenie does not have.
    const bad = await refusal(
      pager.trigger(
        { provider: "opsgenie", responders: [{ type: "squad" as "team", name: "x" }] },
        page(),
      ),
    );
    expect(bad.status).toBe(422);
    expect(bad.message).toContain("Invalid recipient type 'squad'");
  });

  it("a wrong API key is credentialsRejected, in Opsgenie's words", async () => {
    const wrong = new OpsgeniePager({ apiUrl: og.url, apiKey: "not-the-key", retry: RETRY });
    const error = await refusal(wrong.trigger(route, page()));
    expect(error).toMatchObject({ status: 401, credentialsRejected: true, retryable: false });
    expect(error.message).toContain("apiKey is invalid or integration is disabled");
  });
});

describe("signed webhook", () => {
  const secret = "a-webhook-secret-of-32-characters!";
  let receiver: FakeWebhookReceiver;
  let pager: WebhookPager;
  let route: PageRoute;

  beforeAll(async () => {
    receiver = await startFakeWebhookReceiver({ secret });
    pager = new WebhookPager({ secret, retry: RETRY });
    route = { provider: "webhook", url: receiver.url };
  });
  afterAll(() => receiver.close());

  it("posts a signed trigger and resolve that the receiver verifies", async () => {
    const p = page();
    await pager.trigger(route, p);
    await pager.resolve(route, p);
    const [trigger, resolve] = receiver.deliveries.slice(-2);
    expect(trigger.headers["user-agent"]).toBe("hotdoc");
    expect(trigger.headers["content-type"]).toBe("application/json");
    expect(trigger.body).toMatchObject({
      type: "page.trigger",
      id: p.dedupKey,
      incident: {
        key: p.incidentKey,
        summary: p.summary,
        severity: 1,
        service: "checkout",
        url: p.incidentUrl,
      },
      team: "Payments IM",
      note: "declared SEV1",
      requestedBy: "Ada Lovelace",
      room: p.roomUrl,
    });
    expect(Date.parse((trigger.body as { sentAt: string }).sentAt)).not.toBeNaN();
    expect(resolve.body).toMatchObject({ type: "page.resolve", id: p.dedupKey });
  });

  it("retries a 500 and a 429 and delivers once", async () => {
    const p = page();
    const before = receiver.requests.length;
    receiver.failNext(1, { status: 500 });
    receiver.failNext(1, { status: 429 });
    await pager.trigger(route, p);
    expect(receiver.requests.length - before).toBe(3);
    expect(
      receiver.deliveries.filter((d) => (d.body as { id: string }).id === p.dedupKey),
    ).toHaveLength(1);
  });

  it("a 4xx is final; 401 from a receiver with another secret is credentialsRejected", async () => {
    const before = receiver.requests.length;
    receiver.failNext(1, { status: 422, body: "no such team" });
    const error = await refusal(pager.trigger(route, page()));
    expect(receiver.requests.length - before).toBe(1);
    expect(error).toMatchObject({ status: 422, retryable: false, credentialsRejected: false });
    expect(error.message).toContain("no such team");

    const wrong = new WebhookPager({ secret: "some-other-secret-entirely-1234", retry: RETRY });
    const rejected = await refusal(wrong.trigger(route, page()));
    expect(rejected).toMatchObject({ status: 401, credentialsRejected: true });
    expect(receiver.requests.at(-1)?.verified).toBe(false);
  });
});
