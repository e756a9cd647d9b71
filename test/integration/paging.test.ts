import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishedBody } from "#shared/comms/updateText.ts";
import { addComms } from "#shared/doc/index.ts";
import { DeliveryClaims } from "../../server/bridge/DeliveryClaims.ts";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { CadenceNudges } from "../../server/paging/CadenceNudges.ts";
import { deliver, SECRETS, slackMessage, slackSigned } from "../helpers/chatPayloads.ts";
import { connectProvider, whenSynced } from "../helpers/clients.ts";
import { type FakeOpsgenie, startFakeOpsgenie } from "../helpers/fakeOpsgenie.ts";
import {
  type FakePagerDuty,
  routingKey,
  sendPagerDutyWebhook,
  startFakePagerDuty,
} from "../helpers/fakePagerDuty.ts";
import { type FakeStatuspage, startFakeStatuspage } from "../helpers/fakeStatuspage.ts";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgresSchema.ts";
import { fakeRoomWebhook } from "../helpers/roomWebhook.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtpSink.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

// PagerDuty's own error bodies (copies and sources in test/fixtures/paging/pagerduty-events-v2.json:
// response_429_throttled_sdk from PagerDuty/go-pagerduty event_v2_test.go, response_error_openapi_example
// from PagerDuty/api-schema reference/events-v2/openapiv3.json).
const PD_EVENTS = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-events-v2.json", import.meta.url), "utf8"),
);
// The documented v3 webhook envelope's agent (PagerDuty/developer-docs docs/webhooks/01-Overview.md,
// copied in test/fixtures/paging/pagerduty-webhook-v3.json › incident_priority_updated_docs).
const PD_WEBHOOK = JSON.parse(
  fs.readFileSync(new URL("../fixtures/paging/pagerduty-webhook-v3.json", import.meta.url), "utf8"),
);
const DOCUMENTED_AGENT = PD_WEBHOOK.incident_priority_updated_docs.body.event.agent;

// Page ids in the shape of the Statuspage OpenAPI's examples (as in publishProviders.test.ts).
const INTERNAL_PAGE = "gytm4qzbx9t6";
const EXTERNAL_PAGE = "kctbh9vrtdwd";
const DEFAULT_TEAM = "On-call incident manager";

interface Page {
  id: string;
  team: string;
  provider: string;
  state: string;
  note: string;
  dedupKey: string;
  attempts: number;
  error?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
}

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function declare(
  server: TestServer,
  severity: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const answer = await server.api("POST", "/api/incidents", {
    summary: `Checkout errors ${crypto.randomUUID().slice(0, 6)}`,
    severity,
    ...extra,
  });
  expect(answer.status).toBe(201);
  return answer.body.key;
}

async function incident(server: TestServer, key: string) {
  const answer = await server.api("GET", `/api/incidents/${key}`);
  expect(answer.status).toBe(200);
  return answer.body as {
    key: string;
    summary: string;
    status: string;
    pages: Page[];
    publications: Record<string, any>[];
    comms: Record<string, any>[];
    timeline: { kind: string; text: string; ref?: { collection: string; id: string } }[];
    createdAt: string;
  };
}

function pagesOf(server: TestServer, key: string) {
  return incident(server, key).then((i) => i.pages);
}

/** PagerDuty's alerts for one incident (its dedup keys start hotdoc/<key>/). */
function alertsFor(pd: FakePagerDuty, key: string) {
  return pd.alerts().filter((a) => a.dedupKey.startsWith(`hotdoc/${key}/`));
}

function enqueuesFor(pd: FakePagerDuty, key: string) {
  return pd.calls.filter(
    (c) =>
      typeof c.body === "object" &&
      c.body !== null &&
      String((c.body as Record<string, unknown>).dedup_key ?? "").startsWith(`hotdoc/${key}/`),
  );
}

describe("paging through PagerDuty (environment only)", () => {
  const key = routingKey("paging-env");
  const webhookSecret = "pd-webhook-secret-0123456789";
  let pd: FakePagerDuty;
  /** The PAGE_MIN_SEVERITY=1 server's own PagerDuty (incident keys repeat between servers). */
  let strictPd: FakePagerDuty;
  let server: TestServer;
  let strict: TestServer;

  beforeAll(async () => {
    pd = await startFakePagerDuty({ routingKeys: [key] });
    server = await startTestServer({
      captureLogs: true,
      env: {
        PAGERDUTY_ROUTING_KEY: key,
        PAGERDUTY_EVENTS_URL: pd.url,
        PAGERDUTY_WEBHOOK_SECRET: webhookSecret,
      },
    });
    strictPd = await startFakePagerDuty({ routingKeys: [key] });
    strict = await startTestServer({
      env: {
        PAGERDUTY_ROUTING_KEY: key,
        PAGERDUTY_EVENTS_URL: strictPd.url,
        PAGE_MIN_SEVERITY: "1",
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await strict?.close();
    await pd?.close();
    await strictPd?.close();
  });

  it("pages once for a SEV1 declaration, not for a SEV3, and once when the SEV3 is raised", async () => {
    const minor = await declare(server, 3);
    const major = await declare(server, 1);
    const pages = await until(
      () => pagesOf(server, major),
      (p) => p.some((x) => x.state === "triggered"),
      "the SEV1 page",
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({
      team: DEFAULT_TEAM,
      provider: "pagerduty",
      state: "triggered",
    });
    const alerts = alertsFor(pd, major);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].triggers).toBe(1);
    const payload = alerts[0].event.payload as Record<string, unknown>;
    expect(String(payload.summary).startsWith(`${major} `)).toBe(true);
    expect(payload.severity).toBe("critical");
    const doc = await incident(server, major);
    expect(doc.timeline.filter((e) => e.kind === "page" && e.ref?.id === pages[0].id)).toHaveLength(
      1,
    );

    // The SEV3 was declared first and the SEV1 has paged since: the SEV3 paged nobody.
    expect(alertsFor(pd, minor)).toHaveLength(0);
    expect((await incident(server, minor)).pages).toHaveLength(0);

    expect((await server.api("PATCH", `/api/incidents/${minor}`, { severity: 1 })).status).toBe(
      200,
    );
    await until(
      () => pagesOf(server, minor),
      (p) => p.some((x) => x.state === "triggered"),
      "the page after raising to SEV1",
    );
    await sleep(300);
    expect(alertsFor(pd, minor)).toHaveLength(1);
    expect(enqueuesFor(pd, minor)).toHaveLength(1);
  });

  it("with PAGE_MIN_SEVERITY=1 a SEV2 pages nobody", async () => {
    const sev2 = await declare(strict, 2);
    const sev1 = await declare(strict, 1);
    await until(
      () => pagesOf(strict, sev1),
      (p) => p.some((x) => x.state === "triggered"),
      "the SEV1 page",
    );
    expect(alertsFor(strictPd, sev1)).toHaveLength(1);
    expect(alertsFor(strictPd, sev2)).toHaveLength(0);
    expect((await incident(strict, sev2)).pages).toHaveLength(0);
  });

  it("retries a failing enqueue and still makes one alert", async () => {
    pd.failNext(2, { status: 500, body: PD_EVENTS.response_error_openapi_example.body });
    const key1 = await declare(server, 1);
    const pages = await until(
      () => pagesOf(server, key1),
      (p) => p.some((x) => x.state === "triggered" || x.state === "failed"),
      "the page after retries",
    );
    expect(pages).toHaveLength(1);
    expect(pages[0].state).toBe("triggered");
    expect(pages[0].attempts).toBe(1);
    // Three requests for the one page (two refused, the third taken), one alert.
    expect(enqueuesFor(pd, key1)).toHaveLength(3);
    expect(enqueuesFor(pd, key1).map((c) => c.status)).toEqual([500, 500, 202]);
    expect(alertsFor(pd, key1)).toHaveLength(1);
  });

  it("records PagerDuty's own error when it is down, and pages once when asked again", async () => {
    const throttled = PD_EVENTS.response_429_throttled_sdk;
    pd.failNext(3, { status: throttled.status, body: throttled.body });
    const key1 = await declare(server, 1);
    const pages = await until(
      () => pagesOf(server, key1),
      (p) => p.some((x) => x.state === "failed" || x.state === "triggered"),
      "the failed page",
    );
    expect(pages[0].state).toBe("failed");
    expect(pages[0].error).toContain(throttled.body.message);
    expect(alertsFor(pd, key1)).toHaveLength(0);
    expect(
      server.logs.some(
        (l) =>
          l.msg === "page failed" &&
          (l.level === "warn" || l.level === "error") &&
          l.incident === key1 &&
          String(l.error ?? "").includes(throttled.body.message),
      ),
    ).toBe(true);

    const again = await server.api("POST", `/api/incidents/${key1}/pages`, {
      team: DEFAULT_TEAM,
      note: "paging again after PagerDuty's outage",
    });
    expect(again.status).toBe(200);
    expect(again.body.pages).toHaveLength(1);
    expect(again.body.pages[0]).toMatchObject({ state: "triggered", attempts: 2 });
    expect(alertsFor(pd, key1)).toHaveLength(1);
    expect(alertsFor(pd, key1)[0].triggers).toBe(1);
    expect((await pagesOf(server, key1))[0].state).toBe("triggered");
  });

  it("takes PagerDuty's acknowledgement by webhook, refuses a bad signature, ignores others' incidents", async () => {
    const key1 = await declare(server, 1);
    const [page] = await until(
      () => pagesOf(server, key1),
      (p) => p.some((x) => x.state === "triggered"),
      "the page",
    );
    const hook = `${server.url}/hooks/pagerduty`;
    const ack = {
      event_type: "incident.acknowledged",
      agent: { ...DOCUMENTED_AGENT, summary: "Dana Kim" },
      data: { incident_key: page.dedupKey, status: "acknowledged" },
    };

    const forged = await sendPagerDutyWebhook(hook, webhookSecret, ack, {
      signature: `v1=${"0".repeat(64)}`,
    });
    expect(forged.status).toBe(401);
    expect((await pagesOf(server, key1))[0].state).toBe("triggered");

    const answer = await sendPagerDutyWebhook(hook, webhookSecret, ack);
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.text)).toMatchObject({ matched: true });
    const [acked] = await pagesOf(server, key1);
    expect(acked).toMatchObject({ state: "acknowledged", acknowledgedBy: "Dana Kim" });
    expect(
      (await incident(server, key1)).timeline.some(
        (e) => e.kind === "page" && e.text.includes("Dana Kim acknowledged"),
      ),
    ).toBe(true);

    // The documented example's own incident_key: not a page hotdoc sent.
    const other = await sendPagerDutyWebhook(hook, webhookSecret, {
      event_type: "incident.acknowledged",
    });
    expect(other.status).toBe(202);
    expect(JSON.parse(other.text)).toMatchObject({ matched: false });
  });

  it("resolving the incident resolves its PagerDuty alert and page", async () => {
    const key1 = await declare(server, 1);
    await until(
      () => pagesOf(server, key1),
      (p) => p.some((x) => x.state === "triggered"),
      "the page",
    );
    expect(
      (await server.api("PATCH", `/api/incidents/${key1}`, { status: "resolved" })).status,
    ).toBe(200);
    const [page] = await until(
      () => pagesOf(server, key1),
      (p) => p[0]?.state === "resolved",
      "the resolved page",
    );
    expect(page.resolvedAt).toBeTruthy();
    expect(alertsFor(pd, key1).map((a) => a.status)).toEqual(["resolved"]);
  });

  it("announces an overdue update once per due time", async () => {
    const key1 = await declare(server, 3);
    const { createdAt } = await incident(server, key1);
    const said: { incident: string; lines: string[] }[] = [];
    const nudges = new CadenceNudges({
      incidents: server.hotdoc.incidents,
      claims: new DeliveryClaims(server.hotdoc.stores.chat, "nudge-test"),
      announce: (incident, lines) => said.push({ incident, lines }),
      cadenceMinutes: 30,
      logger: server.hotdoc.logger,
    });
    const before = new Date(Date.parse(createdAt) + 29 * 60_000);
    await nudges.check(before);
    expect(said.filter((s) => s.incident === key1)).toHaveLength(0);
    const late = new Date(Date.parse(createdAt) + 31 * 60_000);
    await nudges.check(late);
    const mine = said.filter((s) => s.incident === key1);
    expect(mine).toHaveLength(1);
    expect(mine[0].lines.join("\n")).toContain("no internal update has gone out yet");
    await nudges.check(new Date(late.getTime() + 60_000));
    expect(said.filter((s) => s.incident === key1)).toHaveLength(1);
  });

  it("lists the providers in /healthz and never shows a secret", async () => {
    const key1 = await declare(server, 1);
    await until(
      () => pagesOf(server, key1),
      (p) => p.some((x) => x.state === "triggered"),
      "the page",
    );
    const health = await fetch(`${server.url}/healthz`);
    const healthText = await health.text();
    expect(JSON.parse(healthText).providers.paging).toEqual(["pagerduty"]);
    const paging = await server.api("GET", "/api/paging");
    expect(paging.body.teams).toEqual([{ name: DEFAULT_TEAM, providers: ["pagerduty"] }]);
    const texts = [
      healthText,
      JSON.stringify(paging.body),
      JSON.stringify((await server.api("GET", `/api/incidents/${key1}`)).body),
      JSON.stringify((await server.api("GET", `/api/incidents/${key1}/export`)).body),
      JSON.stringify((await server.api("GET", `/api/incidents/${key1}/state`)).body),
    ];
    for (const text of texts) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(webhookSecret);
    }
  });
});

describe("two processes on one PostgreSQL schema", () => {
  const key = routingKey("paging-postgres");
  const schemas = new TestSchemas();
  let pd: FakePagerDuty;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    pd = await startFakePagerDuty({ routingKeys: [key] });
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schemas.fresh(),
      TOKEN_SECRET: crypto.randomBytes(32).toString("hex"),
      PAGERDUTY_ROUTING_KEY: key,
      PAGERDUTY_EVENTS_URL: pd.url,
      // Declarations page nobody: the escalation is the only page.
      PAGE_MIN_SEVERITY: "0",
    };
    servers = [
      await startTestServer({ env: { ...env, PROCESS_NAME: "p1" } }),
      await startTestServer({ env: { ...env, PROCESS_NAME: "p2" } }),
    ];
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await pd?.close();
    await schemas.dropAll();
  });

  it("escalating the same team through both at once sends one page", async () => {
    const [a, b] = servers;
    const incidentKey = await declare(a, 2);
    const body = { team: DEFAULT_TEAM, note: "replica lag 40s" };
    const answers = await Promise.all([
      a.api("POST", `/api/incidents/${incidentKey}/pages`, body),
      b.api("POST", `/api/incidents/${incidentKey}/pages`, body),
    ]);
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    await sleep(500);
    expect(alertsFor(pd, incidentKey)).toHaveLength(1);
    expect(enqueuesFor(pd, incidentKey)).toHaveLength(1);
    for (const s of servers) {
      const pages = await until(
        () => pagesOf(s, incidentKey),
        (p) => p.some((x) => x.state === "triggered"),
        "the page on each process",
      );
      expect(pages).toHaveLength(1);
    }
  });
});

describe("teams, Opsgenie, chat and publishing (PAGING_CONFIG)", () => {
  const defaultKey = routingKey("paging-default");
  const databaseKey = routingKey("paging-database");
  const opsgenieKey = crypto.randomUUID();
  const schedule = { type: "schedule", name: "platform_schedule" };
  let pd: FakePagerDuty;
  let og: FakeOpsgenie;
  let sp: FakeStatuspage;
  let smtp: SmtpSink;
  const room = fakeRoomWebhook();
  let server: TestServer;
  let configFile: string;
  let roomHook = "";

  beforeAll(async () => {
    pd = await startFakePagerDuty({ routingKeys: [defaultKey, databaseKey] });
    og = await startFakeOpsgenie({ apiKey: opsgenieKey });
    sp = await startFakeStatuspage({ pages: { [INTERNAL_PAGE]: {}, [EXTERNAL_PAGE]: {} } });
    smtp = await startSmtpSink();
    roomHook = await room.listen();
    configFile = path.join(tempDataDir(), "paging.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        teams: [
          { name: "Database on-call", pagerduty: { routingKey: databaseKey } },
          { name: "Platform on-call", opsgenie: { responders: [schedule], priority: "P2" } },
        ],
      }),
    );
    server = await startTestServer({
      env: {
        ...SECRETS,
        PAGING_CONFIG: configFile,
        PAGERDUTY_ROUTING_KEY: defaultKey,
        PAGERDUTY_EVENTS_URL: pd.url,
        OPSGENIE_API_KEY: opsgenieKey,
        OPSGENIE_API_URL: og.url,
        STATUSPAGE_API_KEY: sp.apiKey,
        STATUSPAGE_API_URL: sp.url,
        STATUSPAGE_PAGE_INTERNAL: INTERNAL_PAGE,
        STATUSPAGE_PAGE_EXTERNAL: EXTERNAL_PAGE,
        SMTP_URL: smtp.url,
        COMMS_EMAIL_TO: "incidents@example.com",
        COMMS_EMAIL_FROM: "hotdoc@example.com",
        COMMS_EMAIL_REPLY_TO: "incident-manager@example.com",
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([pd?.close(), og?.close(), sp?.close(), smtp?.close(), room.close()]);
  });

  it("escalates to the right provider with the right request", async () => {
    const key = await declare(server, 3);
    const database = await server.api("POST", `/api/incidents/${key}/pages`, {
      team: "Database on-call",
      note: "replica lag 40s",
    });
    expect(database.status).toBe(200);
    expect(database.body.pages).toMatchObject([
      { team: "Database on-call", provider: "pagerduty", state: "triggered" },
    ]);
    const [alert] = alertsFor(pd, key);
    expect(alert.routingKey).toBe(databaseKey);
    expect(alertsFor(pd, key)).toHaveLength(1);

    const platform = await server.api("POST", `/api/incidents/${key}/pages`, {
      team: "Platform on-call",
      note: "load balancer drops",
    });
    expect(platform.status).toBe(200);
    expect(platform.body.pages).toMatchObject([
      { team: "Platform on-call", provider: "opsgenie", state: "triggered" },
    ]);
    const creates = og.calls.filter((c) => c.method === "POST" && c.path === "/v2/alerts");
    const mine = creates.filter(
      (c) => (c.body as Record<string, unknown>).alias === `hotdoc/${key}/platform-on-call`,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0].headers.authorization).toBe(`GenieKey ${opsgenieKey}`);
    expect((mine[0].body as Record<string, unknown>).responders).toEqual([schedule]);
    expect(alertsFor(pd, key)).toHaveLength(1);

    const unknown = await server.api("POST", `/api/incidents/${key}/pages`, {
      team: "Nobody on-call",
      note: "who?",
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("paging_team_not_found");

    const { token } = await server.hotdoc.tokens.mint({
      role: "viewer",
      scope: key,
      name: "Stakeholder",
      expiresInSeconds: 600,
      createdBy: "test",
    });
    const before = pd.calls.length;
    const viewer = await server.api(
      "POST",
      `/api/incidents/${key}/pages`,
      { team: "Database on-call", note: "let me page" },
      token,
    );
    expect(viewer.status).toBe(403);
    expect(pd.calls.length).toBe(before);
    expect((await pagesOf(server, key)).map((p) => p.team).sort()).toEqual([
      "Database on-call",
      "Platform on-call",
    ]);
  });

  it("pages from chat: `page Database on-call replica lag 40s` in the linked room", async () => {
    const key = await declare(server, 3);
    const channel = `C0PAGE${crypto.randomBytes(3).toString("hex").toUpperCase()}`;
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel,
          webhookUrl: roomHook,
        })
      ).status,
    ).toBe(201);
    const before = room.posts.length;
    const answer = await deliver(
      server.url,
      slackSigned(
        slackMessage(
          channel,
          "U0DANA",
          "page Database on-call replica lag 40s",
          `${Math.floor(Date.now() / 1000)}.000100`,
        ),
      ),
    );
    expect(answer.status).toBe(200);
    const pages = await until(
      () => pagesOf(server, key),
      (p) => p.some((x) => x.state === "triggered"),
      "the page from chat",
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ team: "Database on-call", note: "replica lag 40s" });
    expect(alertsFor(pd, key)).toHaveLength(1);
    await room.until(() =>
      room.posts.slice(before).some((p) => p.text.includes("Paging Database on-call")),
    );
  });

  it("publishes a draft exactly once to Statuspage (both pages) and email, and resolves them", async () => {
    const key = await declare(server, 1, { summary: "Payments failing" });
    await until(
      () => pagesOf(server, key),
      (p) => p.some((x) => x.state === "triggered"),
      "the IM page",
    );
    const drafts = {
      internal: {
        author: "Priya",
        audience: "internal" as const,
        title: "Payments failing at checkout",
        summary: "About 30% of card payments fail since 14:02 UTC.",
        currentStatus: ["Rolled back the 14:00 deploy", "Error rate falling"],
        nextSteps: ["Confirm recovery"],
        nextUpdate: "14:30 UTC",
      },
      external: {
        author: "Priya",
        audience: "external" as const,
        title: "Payment problems",
        summary: "Some card payments are failing. We are working on it.",
        nextUpdate: "in 30 minutes",
      },
    };
    const ids = await writeComms(key, [drafts.internal, drafts.external]);
    const doc = await incident(server, key);
    const internal = doc.comms.find((c) => c.id === ids[0])!;
    const external = doc.comms.find((c) => c.id === ids[1])!;
    const internalBody = publishedBody(internal as Parameters<typeof publishedBody>[0]);
    const externalBody = publishedBody(external as Parameters<typeof publishedBody>[0]);

    const published = await server.api("POST", `/api/incidents/${key}/comms/${ids[0]}/publish`, {});
    expect(published.status).toBe(200);
    expect(published.body.publications.map((p: { state: string }) => p.state)).toEqual([
      "sent",
      "sent",
    ]);
    const [spIncident] = sp.incidents(INTERNAL_PAGE).filter((i) => i.name.includes(key));
    expect(sp.incidents(INTERNAL_PAGE).filter((i) => i.name.includes(key))).toHaveLength(1);
    expect(spIncident.incident_updates.map((u) => u.body)).toEqual([internalBody]);
    const mails = smtp.messages.filter((m) => (m.header("subject") ?? "").includes(key));
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(internalBody);
    expect(mails[0].text?.startsWith(internalBody)).toBe(true);
    expect(mails[0].header("reply-to")).toContain("incident-manager@example.com");
    const records = (await incident(server, key)).publications.filter((p) => p.commsId === ids[0]);
    expect(records).toHaveLength(2);
    for (const record of records) expect(record.state).toBe("sent");
    const spRecord = records.find((r) => r.destination === "statuspage")!;
    expect(spRecord.providerIncidentId).toBe(spIncident.id);
    expect(spRecord.url).toBe(spIncident.shortlink);
    expect(records.find((r) => r.destination === "email")!.providerId).toBeTruthy();
    expect((await incident(server, key)).comms.find((c) => c.id === ids[0])!.state).toBe("sent");

    const ext = await server.api("POST", `/api/incidents/${key}/comms/${ids[1]}/publish`, {});
    expect(ext.status).toBe(200);
    const extMine = sp
      .incidents(EXTERNAL_PAGE)
      .filter((i) => (i.metadata as { hotdoc?: { incident?: string } }).hotdoc?.incident === key);
    expect(extMine).toHaveLength(1);
    expect(extMine[0].incident_updates.map((u) => u.body)).toEqual([externalBody]);
    expect(extMine[0].id).not.toBe(spIncident.id);

    // Publishing the same draft again posts nothing new.
    const spCalls = sp.calls.length;
    const mailCount = smtp.messages.length;
    const repeat = await server.api("POST", `/api/incidents/${key}/comms/${ids[0]}/publish`, {});
    expect(repeat.status).toBe(200);
    expect(sp.calls.length).toBe(spCalls);
    expect(smtp.messages.length).toBe(mailCount);

    // Resolving: the PagerDuty alert is resolved, the page too, and each Statuspage incident
    // gets a final update saying resolved.
    expect(
      (await server.api("PATCH", `/api/incidents/${key}`, { status: "resolved" })).status,
    ).toBe(200);
    await until(
      () => pagesOf(server, key),
      (p) => p.every((x) => x.state === "resolved"),
      "the resolved page",
    );
    expect(alertsFor(pd, key).map((a) => a.status)).toEqual(["resolved"]);
    for (const page of [INTERNAL_PAGE, EXTERNAL_PAGE]) {
      const found = await until(
        async () =>
          sp
            .incidents(page)
            .filter(
              (i) => (i.metadata as { hotdoc?: { incident?: string } }).hotdoc?.incident === key,
            ),
        // Statuspage lists an incident's updates newest first.
        (list) => list.length === 1 && list[0].incident_updates[0]?.status === "resolved",
        `the final update on ${page}`,
      );
      expect(found[0].status).toBe("resolved");
      expect(found[0].incident_updates).toHaveLength(2);
    }
  });

  it("records Statuspage's failure and publishes once when asked again", async () => {
    const key = await declare(server, 3);
    const [id] = await writeComms(key, [
      {
        author: "Priya",
        audience: "external",
        title: "Slow dashboards",
        summary: "Dashboards load slowly. We are looking into it.",
      },
    ]);
    // Statuspage's documented error shape is {message} (ErrorEntity, statuspage-v1.json › error_shape).
    sp.failNext(3, { status: 503, body: { message: "Service Unavailable" } });
    const failed = await server.api("POST", `/api/incidents/${key}/comms/${id}/publish`, {});
    expect(failed.status).toBe(200);
    expect(failed.body.publications).toHaveLength(1);
    expect(failed.body.publications[0].state).toBe("failed");
    expect(failed.body.publications[0].error).toContain("503");
    expect((await incident(server, key)).comms.find((c) => c.id === id)!.state).not.toBe("sent");

    const again = await server.api("POST", `/api/incidents/${key}/comms/${id}/publish`, {});
    expect(again.status).toBe(200);
    expect(again.body.publications[0].state).toBe("sent");
    const mine = sp
      .incidents(EXTERNAL_PAGE)
      .filter((i) => (i.metadata as { hotdoc?: { incident?: string } }).hotdoc?.incident === key);
    expect(mine).toHaveLength(1);
  });

  it("lists the providers in /healthz and never shows a key", async () => {
    const key = await declare(server, 3);
    await server.api("POST", `/api/incidents/${key}/pages`, {
      team: "Platform on-call",
      note: "disks",
    });
    const health = await (await fetch(`${server.url}/healthz`)).text();
    const providers = JSON.parse(health).providers;
    expect([...providers.paging].sort()).toEqual(["opsgenie", "pagerduty"]);
    expect([...providers.publishing].sort()).toEqual([
      "email:internal",
      "statuspage:external",
      "statuspage:internal",
    ]);
    const texts = [
      health,
      JSON.stringify((await server.api("GET", "/api/paging")).body),
      JSON.stringify((await server.api("GET", `/api/incidents/${key}`)).body),
      JSON.stringify((await server.api("GET", `/api/incidents/${key}/export`)).body),
    ];
    for (const text of texts)
      for (const secret of [defaultKey, databaseKey, opsgenieKey, sp.apiKey])
        expect(text).not.toContain(secret);
  });

  /** Adds comms drafts as a responder's editor does: through a Hocuspocus provider. */
  async function writeComms(key: string, inputs: Parameters<typeof addComms>[1][]) {
    const provider = connectProvider(server.wsUrl, key, server.token);
    try {
      await whenSynced(provider);
      const ids = inputs.map((input) => addComms(provider.document, input));
      await until(
        () => incident(server, key),
        (doc) => ids.every((id) => doc.comms.some((c) => c.id === id)),
        "the drafts on the server",
      );
      return ids;
    } finally {
      provider.destroy();
    }
  }
});

describe("configuration", () => {
  const base = { PORT: "0", DATA_DIR: tempDataDir(), ADMIN_TOKEN: "test-admin-token-0123456789" };

  it("refuses a team paged through Opsgenie without OPSGENIE_API_KEY", () => {
    const file = path.join(tempDataDir(), "paging.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ teams: [{ name: "Platform on-call", opsgenie: { responders: [] } }] }),
    );
    expect(() => loadConfig({ ...base, PAGING_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PAGING_CONFIG: file })).toThrow(/OPSGENIE_API_KEY/);
    expect(() => loadConfig({ ...base, PAGING_CONFIG: file })).toThrow(/Platform on-call/);
  });

  it("refuses a PAGING_CONFIG that is not JSON, naming the file", () => {
    const file = path.join(tempDataDir(), "paging.json");
    fs.writeFileSync(file, '{"teams": [');
    expect(() => loadConfig({ ...base, PAGING_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PAGING_CONFIG: file })).toThrow(
      new RegExp(`PAGING_CONFIG ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`),
    );
  });
});
