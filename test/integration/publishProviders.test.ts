import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetryPolicy } from "../../server/net/retrying.ts";
import { EmailPublisher } from "../../server/paging/email.ts";
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyHotdocSignature,
} from "../../server/paging/hotdocSignature.ts";
import { StatuspagePublisher } from "../../server/paging/statuspage.ts";
import { WebhookPublisher } from "../../server/paging/statusWebhook.ts";
import { ProviderError, type PublishRequest } from "../../server/paging/types.ts";
import { type FakeStatuspage, startFakeStatuspage } from "../helpers/fakeStatuspage.ts";
import { freePort } from "../helpers/localService.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtpSink.ts";

const FAST: RetryPolicy = { attempts: 3, baseMs: 1, maxWaitMs: 50 };

// Page and component ids in the shape of the Statuspage OpenAPI's examples (gytm4qzbx9t6, gcvfrw2r8w36).
const INTERNAL_PAGE = "gytm4qzbx9t6";
const EXTERNAL_PAGE = "kctbh9vrtdwd";
const API_COMPONENT = "gcvfrw2r8w36";
const WEB_COMPONENT = "hhgf5wl0n69v";

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    incidentKey: "HOT-12",
    audience: "external",
    title: "Checkout errors",
    body: "We are seeing failed payments at checkout.\n\nNext update by 14:30 UTC.",
    status: "investigating",
    products: ["API", "Unknown product"],
    incidentUrl: "https://hotdoc.example.com/incidents/HOT-12",
    publicationId: "c1.statuspage",
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Statuspage", () => {
  let fake: FakeStatuspage;
  let publisher: StatuspagePublisher;

  beforeAll(async () => {
    fake = await startFakeStatuspage({
      pages: {
        [INTERNAL_PAGE]: { [API_COMPONENT]: "API" },
        [EXTERNAL_PAGE]: { [API_COMPONENT]: "API", [WEB_COMPONENT]: "Website" },
      },
    });
    publisher = new StatuspagePublisher({
      apiUrl: fake.url,
      apiKey: fake.apiKey,
      pages: { external: EXTERNAL_PAGE },
      components: { internal: {}, external: { API: API_COMPONENT, Website: WEB_COMPONENT } },
      retry: FAST,
    });
  });
  afterAll(() => fake.close());

  it("serves the audiences with a page", () => {
    expect(publisher.audiences()).toEqual(["external"]);
  });

  it("creates an incident, then continues the same one with the exact body", async () => {
    const first = await publisher.publish(request({ publicationId: "create-patch.statuspage" }));
    expect(first.providerIncidentId).toMatch(/^[a-z0-9]{12}$/);
    expect(first.url).toMatch(/^http:\/\/stspg\.io\//);
    const created = fake.incidents(EXTERNAL_PAGE).find((i) => i.id === first.providerIncidentId)!;
    expect(created.name).toBe("HOT-12: Checkout errors");
    expect(created.incident_updates[0].body).toBe(request().body);
    expect(first.providerId).toBe(created.incident_updates[0].id);
    expect(created.components.map((c) => [c.id, c.status])).toEqual([
      [API_COMPONENT, "major_outage"],
    ]);
    expect(created.metadata).toEqual({
      hotdoc: { incident: "HOT-12", publication: "create-patch.statuspage" },
    });
    const post = fake.calls.at(-1)!;
    expect(post.method).toBe("POST");
    expect(post.headers.authorization).toBe(`OAuth ${fake.apiKey}`);

    const body =
      "A fix is deployed; error rates are back to normal.\n\n- payments: OK\n- refunds: OK";
    const second = await publisher.publish(
      request({
        status: "monitoring",
        body,
        title: "Ignored on update",
        publicationId: "create-patch-2.statuspage",
        providerIncidentId: first.providerIncidentId,
      }),
    );
    expect(second.providerIncidentId).toBe(first.providerIncidentId);
    expect(fake.calls.at(-1)!.method).toBe("PATCH");
    expect(
      fake.incidents(EXTERNAL_PAGE).filter((i) => i.id === first.providerIncidentId),
    ).toHaveLength(1);
    expect(created.status).toBe("monitoring");
    expect(created.incident_updates).toHaveLength(2);
    expect(created.incident_updates[0]).toMatchObject({ body, status: "monitoring" });
    expect(second.providerId).toBe(created.incident_updates[0].id);
    expect(created.components[0].status).toBe("degraded_performance");
    expect(created.name).toBe("HOT-12: Checkout errors");

    await publisher.publish(
      request({
        status: "resolved",
        body: "Resolved.",
        publicationId: "create-patch-3.statuspage",
        providerIncidentId: first.providerIncidentId,
      }),
    );
    expect(created.status).toBe("resolved");
    expect(created.components[0].status).toBe("operational");
  });

  it("keeps a title that already names the key, and cuts a long one to 255", async () => {
    const named = await publisher.publish(
      request({ title: "HOT-12 checkout errors", publicationId: "named.statuspage" }),
    );
    const long = await publisher.publish(
      request({ title: "x".repeat(400), publicationId: "long.statuspage" }),
    );
    const incidents = fake.incidents(EXTERNAL_PAGE);
    expect(incidents.find((i) => i.id === named.providerIncidentId)!.name).toBe(
      "HOT-12 checkout errors",
    );
    const longName = incidents.find((i) => i.id === long.providerIncidentId)!.name;
    expect(longName.length).toBe(255);
    expect(longName.startsWith("HOT-12: xxx")).toBe(true);
  });

  it("reports a rejected key with Statuspage's message, without retrying", async () => {
    const wrong = new StatuspagePublisher({
      apiUrl: fake.url,
      apiKey: "not-the-key",
      pages: { external: EXTERNAL_PAGE },
      components: { internal: {}, external: {} },
      retry: FAST,
    });
    const before = fake.calls.length;
    const error = await rejection(wrong.publish(request({ publicationId: "auth.statuspage" })));
    expect(error.credentialsRejected).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(401);
    expect(error.message).toContain("Could not authenticate");
    expect(fake.calls.length).toBe(before + 1);
  });

  it("does not retry a 422 and reports its message", async () => {
    fake.failNext(1, { status: 422, body: { message: "Name can't be blank" } });
    const before = fake.calls.length;
    const error = await rejection(publisher.publish(request({ publicationId: "422.statuspage" })));
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(422);
    expect(error.message).toContain("Name can't be blank");
    expect(fake.calls.length).toBe(before + 1);
  });

  it("retries a 500 refused before any work and makes one incident", async () => {
    const count = fake.incidents(EXTERNAL_PAGE).length;
    fake.failNext(1, { status: 500, body: { message: "Internal Server Error" } });
    const published = await publisher.publish(request({ publicationId: "500.statuspage" }));
    expect(fake.incidents(EXTERNAL_PAGE)).toHaveLength(count + 1);
    expect(fake.incidents(EXTERNAL_PAGE).at(-1)!.id).toBe(published.providerIncidentId);
  });

  it("adopts the incident a create made when its answer was lost, making no duplicate", async () => {
    const count = fake.incidents(EXTERNAL_PAGE).length;
    const before = fake.calls.length;
    fake.failNext(1, { status: 500, body: { message: "Internal Server Error" }, applied: true });
    const published = await publisher.publish(request({ publicationId: "lost.statuspage" }));
    const incidents = fake.incidents(EXTERNAL_PAGE);
    expect(incidents).toHaveLength(count + 1);
    const made = incidents.at(-1)!;
    expect(made.metadata).toMatchObject({ hotdoc: { publication: "lost.statuspage" } });
    expect(published.providerIncidentId).toBe(made.id);
    expect(published.providerId).toBe(made.incident_updates[0].id);
    expect(fake.calls.slice(before).map((c) => `${c.method} ${c.segments.at(-1)}`)).toEqual([
      "POST incidents",
      "GET unresolved",
    ]);
  });

  it("gives up after the attempts with a retryable error", async () => {
    const count = fake.incidents(EXTERNAL_PAGE).length;
    const before = fake.calls.length;
    // Each attempt consumes one failure: the create, then (a 503 may have made the
    // incident) a look for it before each create again.
    fake.failNext(FAST.attempts, { status: 503, body: { message: "Service Unavailable" } });
    const error = await rejection(publisher.publish(request({ publicationId: "down.statuspage" })));
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(fake.calls.slice(before).map((c) => c.method)).toEqual(["POST", "GET", "GET"]);
    expect(fake.incidents(EXTERNAL_PAGE)).toHaveLength(count);
  });

  it("refuses an unreachable API as retryable", async () => {
    const port = await freePort();
    const down = new StatuspagePublisher({
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: "k",
      pages: { internal: INTERNAL_PAGE },
      components: { internal: {}, external: {} },
      retry: FAST,
    });
    const error = await rejection(
      down.publish(request({ audience: "internal", publicationId: "net.statuspage" })),
    );
    expect(error.retryable).toBe(true);
    expect(error.credentialsRejected).toBe(false);
  });
});

describe("email", () => {
  let sink: SmtpSink;
  let publisher: EmailPublisher;

  beforeAll(async () => {
    sink = await startSmtpSink();
    publisher = new EmailPublisher({
      smtpUrl: sink.url,
      to: "incidents@example.com",
      from: "hotdoc@example.com",
      replyTo: "im-hot-12@example.com",
      retry: FAST,
    });
  });
  afterAll(async () => {
    publisher.close();
    await sink.close();
  });

  const body =
    "Checkout is failing for some customers.\n\n- Payments: degraded\n- <script>alert(1)</script> & more\n\nNext update by 14:30 UTC.";

  it("sends the update with the key in the subject, the exact text, and escaped HTML", async () => {
    const published = await publisher.publish(
      request({ audience: "internal", body, publicationId: "c9.email" }),
    );
    expect(sink.messages).toHaveLength(1);
    const message = sink.messages[0];
    expect(message.envelope).toEqual({ from: "hotdoc@example.com", to: ["incidents@example.com"] });
    expect(message.header("subject")).toBe("[HOT-12] Checkout errors");
    expect(message.header("reply-to")).toBe("im-hot-12@example.com");
    expect(message.header("x-hotdoc-incident")).toBe("HOT-12");
    expect(message.header("message-id")).toBe("<c9.email@hotdoc>");
    expect(published.providerId).toBe("<c9.email@hotdoc>");
    expect(message.text).toBe(
      `${body}\n\nHOT-12 in hotdoc: https://hotdoc.example.com/incidents/HOT-12`,
    );
    expect(message.html).toBeDefined();
    expect(message.html).not.toContain("<script>");
    expect(message.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
    expect(message.html).toContain("<ul>");
    expect(message.html).toContain("<p>Checkout is failing for some customers.</p>");
  });

  it("keeps the Message-ID of a publication sent again, and the title when it names the key", async () => {
    sink.messages.length = 0;
    await publisher.publish(
      request({ audience: "internal", title: "HOT-12 resolved", publicationId: "c10.email" }),
    );
    await publisher.publish(
      request({ audience: "internal", title: "HOT-12 resolved", publicationId: "c10.email" }),
    );
    expect(sink.messages.map((m) => m.header("message-id"))).toEqual([
      "<c10.email@hotdoc>",
      "<c10.email@hotdoc>",
    ]);
    expect(sink.messages[0].header("subject")).toBe("HOT-12 resolved");
  });

  it("uses the sender as Reply-To when none is configured", async () => {
    sink.messages.length = 0;
    const plain = new EmailPublisher({
      smtpUrl: sink.url,
      to: "incidents@example.com",
      from: "hotdoc@example.com",
      replyTo: null,
      retry: FAST,
    });
    await plain.publish(request({ audience: "internal", publicationId: "c11.email" }));
    plain.close();
    expect(sink.messages[0].header("reply-to")).toBe("hotdoc@example.com");
  });

  it("retries a 4xx and does not retry a 5xx", async () => {
    sink.messages.length = 0;
    sink.failNext(1, 451);
    await publisher.publish(request({ audience: "internal", publicationId: "c12.email" }));
    expect(sink.messages).toHaveLength(1);

    sink.messages.length = 0;
    sink.failNext(1, 554);
    const error = await rejection(
      publisher.publish(request({ audience: "internal", publicationId: "c13.email" })),
    );
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(554);
    // Not retried: the next message goes through at once.
    await publisher.publish(request({ audience: "internal", publicationId: "c14.email" }));
    expect(sink.messages.map((m) => m.header("message-id"))).toEqual(["<c14.email@hotdoc>"]);
  });

  it("reports refused SMTP credentials (535) as credentialsRejected", async () => {
    const guarded = await startSmtpSink({ users: { hotdoc: "right" } });
    const url = new URL(guarded.url);
    url.username = "hotdoc";
    url.password = "wrong";
    const wrong = new EmailPublisher({
      smtpUrl: url.toString(),
      to: "incidents@example.com",
      from: "hotdoc@example.com",
      replyTo: null,
      retry: FAST,
    });
    try {
      const error = await rejection(
        wrong.publish(request({ audience: "internal", publicationId: "c15.email" })),
      );
      expect(error.credentialsRejected).toBe(true);
      expect(error.status).toBe(535);
      expect(guarded.messages).toHaveLength(0);
    } finally {
      wrong.close();
      await guarded.close();
    }
  });

  it("reports a mail server that is down as retryable", async () => {
    const port = await freePort();
    const down = new EmailPublisher({
      smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
      to: "incidents@example.com",
      from: "hotdoc@example.com",
      replyTo: null,
      retry: FAST,
    });
    const error = await rejection(
      down.publish(request({ audience: "internal", publicationId: "c16.email" })),
    );
    down.close();
    expect(error.retryable).toBe(true);
    expect(error.credentialsRejected).toBe(false);
  });
});

describe("status webhook", () => {
  const secret = "a-status-webhook-secret-0123456789";
  let server: http.Server;
  let url: string;
  const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
  const answers: number[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(answers.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/status`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("posts a signed update the receiver can verify", async () => {
    const publisher = new WebhookPublisher({ url, secret, retry: FAST });
    expect(publisher.audiences()).toEqual(["internal", "external"]);
    answers.push(503);
    const published = await publisher.publish(request({ publicationId: "c20.webhook" }));
    expect(published.providerId).toBe("c20.webhook");
    expect(received).toHaveLength(2);
    const { headers, raw } = received[1];
    expect(headers["content-type"]).toBe("application/json");
    expect(
      verifyHotdocSignature(
        secret,
        raw,
        headers[TIMESTAMP_HEADER] as string,
        headers[SIGNATURE_HEADER] as string,
      ),
    ).toBe(true);
    expect(
      verifyHotdocSignature(
        "another-secret-entirely-000000",
        raw,
        headers[TIMESTAMP_HEADER] as string,
        headers[SIGNATURE_HEADER] as string,
      ),
    ).toBe(false);
    expect(JSON.parse(raw)).toEqual({
      type: "status.update",
      id: "c20.webhook",
      incident: { key: "HOT-12", url: "https://hotdoc.example.com/incidents/HOT-12" },
      audience: "external",
      status: "investigating",
      title: "Checkout errors",
      body: request().body,
      products: ["API", "Unknown product"],
    });
  });

  it("reports a 401 as rejected credentials and a 400 as not retryable", async () => {
    const publisher = new WebhookPublisher({ url, secret, retry: FAST });
    received.length = 0;
    answers.push(401);
    const denied = await rejection(publisher.publish(request({ publicationId: "c21.webhook" })));
    expect(denied.credentialsRejected).toBe(true);
    answers.push(400);
    const bad = await rejection(publisher.publish(request({ publicationId: "c22.webhook" })));
    expect(bad.retryable).toBe(false);
    expect(bad.status).toBe(400);
    expect(received).toHaveLength(2);
  });
});
