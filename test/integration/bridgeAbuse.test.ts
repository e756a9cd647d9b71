import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyOf,
  DOCUMENTED,
  deliver,
  genericSigned,
  type Hook,
  matrixTransaction,
  SECRETS,
  slackEvent,
  slackSigned,
  teamsSigned,
} from "../helpers/chatPayloads.ts";
import { withTimeout } from "../helpers/clients.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

/** The documented Mattermost token is the one the server is configured with, so the documented form is correctly signed. */
const ENV = { ...SECRETS, MATTERMOST_TOKEN: DOCUMENTED.mattermostForm.token };

function mattermost(fields: Record<string, string>): Hook {
  return {
    method: "POST",
    path: "/hooks/mattermost",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

/** A loopback HTTP receiver that records every request it gets. */
function receiver() {
  const requests: { url: string; body: string }[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      requests.push({ url: request.url ?? "", body });
      response.end("ok");
      for (const wake of waiters) wake();
    });
  });
  return {
    requests,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    next: () =>
      withTimeout(
        new Promise<void>((resolve) => {
          if (requests.length > 0) resolve();
          else waiters.push(resolve);
        }),
        10_000,
        "a request to the receiver",
      ),
  };
}

describe("webhook URLs cannot reach the server's own network (SSRF)", () => {
  let server: TestServer;
  const internal = receiver();
  const control = receiver();
  let internalPort: number;
  let controlPort: number;
  let key: string;

  beforeAll(async () => {
    internalPort = await internal.listen();
    controlPort = await control.listen();
    // No loopback allowance, except one named host:port the test uses as a control.
    server = await startTestServer({
      env: {
        ...ENV,
        ANNOUNCE_INTERVAL_MS: "0",
        WEBHOOK_ALLOWED_TARGETS: `127.0.0.1:${controlPort}`,
      },
      captureLogs: true,
    });
    key = (await server.api("POST", "/api/incidents", { summary: "SSRF", severity: 3 })).body.key;
  });
  afterAll(async () => {
    await server.close();
    await internal.close();
    await control.close();
  });

  it("refuses loopback, private, metadata and IPv4-mapped webhook URLs when a room is linked, and links nothing", async () => {
    const urls = [
      `http://127.0.0.1:${internalPort}/internal/admin`,
      `http://localhost:${internalPort}/internal/admin`,
      `http://[::ffff:127.0.0.1]:${internalPort}/internal/admin`,
      `http://2130706433:${internalPort}/internal/admin`,
      "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      "http://10.0.0.1/hook",
      "http://[fd00::1]/hook",
      `http://127.0.0.1:${controlPort + (controlPort === 65_535 ? -1 : 1)}/not-the-allowed-port`,
    ];
    for (const [i, webhookUrl] of urls.entries()) {
      const answer = await server.api("POST", `/api/incidents/${key}/channels`, {
        platform: "slack",
        channel: `C0SSRF${i}`,
        webhookUrl,
      });
      expect(answer.status, webhookUrl).toBe(400);
      expect(answer.body.error, webhookUrl).toMatchObject({
        code: "validation_failed",
        field: "webhookUrl",
        message: expect.stringMatching(/^webhookUrl: .*(not allowed|WEBHOOK_ALLOWED_TARGETS)/),
      });
    }
    const links = await server.api("GET", `/api/incidents/${key}/channels`);
    expect(links.body.channels).toEqual([]);
    expect(internal.requests).toEqual([]);
  });

  it("never posts to a refused target at send time, even from a link stored before the check existed", async () => {
    // A row written straight to the store, as one written before link-time checks would be.
    // It comes first and its host is a literal (no DNS), so its post is tried and refused
    // before the control's; names resolving to loopback are covered in outboundTarget.test.ts.
    await server.hotdoc.stores.chat.linkChannel({
      platform: "slack",
      channel: "C0OLD",
      incident: key,
      webhookUrl: `http://[::ffff:127.0.0.1]:${internalPort}/internal/admin`,
      createdAt: 1,
      createdBy: "legacy",
    });
    expect(
      (
        await server.api("POST", `/api/incidents/${key}/channels`, {
          platform: "slack",
          channel: "C0CONTROL",
          webhookUrl: `http://127.0.0.1:${controlPort}/hook`,
        })
      ).status,
    ).toBe(201);
    expect((await server.api("PATCH", `/api/incidents/${key}`, { severity: 2 })).status).toBe(200);
    await control.next();
    expect(control.requests[0].body).toContain("Severity changed from 3 (Minor) to 2 (Major)");
    expect(internal.requests).toEqual([]);
    expect(
      server.logs.some(
        (line) =>
          line.msg === "announcement not sent: the room's webhook is not an allowed target" &&
          String(line.reason).includes("loopback"),
      ),
    ).toBe(true);
  });
});

describe("a room named after an incident cannot be captured by another incident's responder", () => {
  let server: TestServer;
  let a: string;
  let b: string;
  let responderA: string;
  let postCount = 0;
  const room = DOCUMENTED.mattermostForm.channel_id;
  const timeline = async (key: string) =>
    ((await server.api("GET", `/api/incidents/${key}`)).body.timeline as { text: string }[]).map(
      (e) => e.text,
    );
  const say = (text: string) =>
    deliver(
      server.url,
      mattermost({
        ...DOCUMENTED.mattermostForm,
        channel_name: b.toLowerCase(),
        post_id: `capture-${++postCount}`,
        text,
      }),
    );

  beforeAll(async () => {
    server = await startTestServer({ env: ENV });
    a = (await server.api("POST", "/api/incidents", { summary: "Incident A", severity: 3 })).body
      .key;
    b = (await server.api("POST", "/api/incidents", { summary: "Incident B", severity: 1 })).body
      .key;
    responderA = (
      await server.api("POST", `/api/incidents/${a}/links`, { role: "responder", name: "Eve" })
    ).body.token;
  });
  afterAll(() => server.close());

  it("a room linked to A before its first message, whose name is B's key, follows its name to B", async () => {
    // Linked before hotdoc has seen the room: its name is unknown, so nothing can be checked yet.
    expect(
      (
        await server.api(
          "POST",
          `/api/incidents/${a}/channels`,
          { platform: "mattermost", channel: room },
          responderA,
        )
      ).status,
    ).toBe(201);
    expect((await say("B's war room: payments are down")).status).toBe(200);
    expect(await timeline(b)).toContain("B's war room: payments are down");
    expect(await timeline(a)).not.toContain("B's war room: payments are down");
    expect((await server.hotdoc.stores.chat.findChannelLink("mattermost", room))?.incident).toBe(b);
  });

  it("once the room's name is known, A's responder cannot move it, by the API or by `link` in the room", async () => {
    const api = await server.api(
      "POST",
      `/api/incidents/${a}/channels`,
      { platform: "mattermost", channel: room },
      responderA,
    );
    expect(api.status).toBe(403);
    expect(api.body.error).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining(b),
    });
    const command = await say(`link ${a}`);
    expect(command.status).toBe(200);
    expect(command.body.text).toContain(`named after ${b}`);
    expect((await server.hotdoc.stores.chat.findChannelLink("mattermost", room))?.incident).toBe(b);
    expect((await say("still B's")).status).toBe(200);
    expect(await timeline(b)).toContain("still B's");
  });

  it("a channel id that is itself another incident's key needs rights on that incident", async () => {
    const answer = await server.api(
      "POST",
      `/api/incidents/${a}/channels`,
      { platform: "webhook", channel: b.toLowerCase() },
      responderA,
    );
    expect(answer.status).toBe(403);
    expect(await server.hotdoc.stores.chat.findChannelLink("webhook", b.toLowerCase())).toBeNull();
  });

  it("someone with rights on B can still move B's room, and that link stands", async () => {
    expect(
      (
        await server.api("POST", `/api/incidents/${a}/channels`, {
          platform: "mattermost",
          channel: room,
        })
      ).status,
    ).toBe(201);
    expect((await say("moved on purpose")).status).toBe(200);
    expect(await timeline(a)).toContain("moved on purpose");
  });
});

describe("Matrix transactions are idempotent by txnId, across restarts", () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  let key: string;
  const message = (eventId: string, body: string) => ({
    ...copyOf(DOCUMENTED.matrixMessage),
    event_id: eventId,
    content: { ...DOCUMENTED.matrixMessage.content, body },
  });
  const texts = async () =>
    ((await server.api("GET", `/api/incidents/${key}`)).body.timeline as { text: string }[]).map(
      (e) => e.text,
    );

  beforeAll(async () => {
    server = await startTestServer({ dataDir, env: ENV });
    key = (await server.api("POST", "/api/incidents", { summary: "Matrix", severity: 3 })).body.key;
    await server.api("POST", `/api/incidents/${key}/channels`, {
      platform: "matrix",
      channel: DOCUMENTED.matrixMessage.room_id,
    });
  });
  afterAll(() => server.close());

  it("a reused txnId with a different body answers as the original did and changes nothing, before and after a restart", async () => {
    const txn = DOCUMENTED.matrixTxnId;
    const original = await deliver(
      server.url,
      matrixTransaction(txn, [copyOf(DOCUMENTED.matrixMessage)]),
    );
    expect(original).toEqual({ status: 200, body: {} });
    expect(await texts()).toContain("This is an example text message");

    const retry = await deliver(
      server.url,
      matrixTransaction(txn, [copyOf(DOCUMENTED.matrixMessage)]),
    );
    expect(retry).toEqual({ status: 200, body: {} });
    const reused = await deliver(
      server.url,
      matrixTransaction(txn, [message("$injected1:example.org", "injected under a used txnId")]),
    );
    expect(reused).toEqual({ status: 200, body: {} });
    expect(await texts()).not.toContain("injected under a used txnId");

    await server.close();
    server = await startTestServer({ dataDir, env: ENV });
    const afterRestart = await deliver(
      server.url,
      matrixTransaction(txn, [message("$injected2:example.org", "injected after a restart")]),
    );
    expect(afterRestart).toEqual({ status: 200, body: {} });
    const after = await texts();
    expect(after).not.toContain("injected after a restart");
    expect(after.filter((t) => t === "This is an example text message")).toHaveLength(1);
    // A new txnId is applied as usual.
    expect(
      (
        await deliver(
          server.url,
          matrixTransaction("36", [message("$next:example.org", "next transaction")]),
        )
      ).status,
    ).toBe(200);
    expect(await texts()).toContain("next transaction");
  });
});

describe("Teams activities have a replay window", () => {
  let server: TestServer;
  let key: string;
  const channel = DOCUMENTED.teamsActivity.conversation.id;
  const activity = (id: string, timestamp: unknown, text: string) => ({
    ...copyOf(DOCUMENTED.teamsActivity),
    id,
    timestamp,
    localTimestamp: timestamp,
    text,
  });
  /** What came from chat (the timeline also holds the "incident declared" entry). */
  const texts = async () =>
    (
      (await server.api("GET", `/api/incidents/${key}`)).body.timeline as {
        text: string;
        source: string;
      }[]
    )
      .filter((e) => e.source === "teams")
      .map((e) => e.text);

  beforeAll(async () => {
    server = await startTestServer({ env: ENV });
    key = (await server.api("POST", "/api/incidents", { summary: "Teams", severity: 3 })).body.key;
    await server.api("POST", `/api/incidents/${key}/channels`, { platform: "teams", channel });
  });
  afterAll(() => server.close());

  it("refuses the documented activity replayed years later, one dated 2001, and one with no readable time; takes a current one", async () => {
    const replayed = await deliver(server.url, teamsSigned(copyOf(DOCUMENTED.teamsActivity)));
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe("timestamp_stale");
    const old = await deliver(
      server.url,
      teamsSigned(activity("2001", "2001-09-09T01:46:40.000Z", "from 2001")),
    );
    expect(old.body.error?.code).toBe("timestamp_stale");
    const ahead = await deliver(
      server.url,
      teamsSigned(
        activity("ahead", new Date(Date.now() + 3_600_000).toISOString(), "from the future"),
      ),
    );
    expect(ahead.body.error?.code).toBe("timestamp_stale");
    const garbage = await deliver(
      server.url,
      teamsSigned(activity("garbage", "garbage", "garbage time")),
    );
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe("invalid_payload");
    const {
      timestamp: _t,
      localTimestamp: _l,
      ...untimed
    } = activity("untimed", "", "no time at all");
    expect((await deliver(server.url, teamsSigned(untimed))).body.error?.code).toBe(
      "invalid_payload",
    );
    expect(await texts()).toEqual([]);
    const current = await deliver(
      server.url,
      teamsSigned(activity("now", new Date().toISOString(), "Hello Teams TestBot")),
    );
    expect(current.status).toBe(200);
    expect(await texts()).toEqual(["Hello Teams TestBot"]);
  });
});

describe("signed payloads with extreme times get a 4xx (or are skipped) and write nothing", () => {
  let server: TestServer;
  let key: string;
  const EXTREMES: unknown[] = [
    1e17,
    -1,
    0,
    1e308,
    -1e308,
    "1e17",
    "99999999999999999",
    "NaN",
    "Infinity",
    "",
    "garbage",
    "-1",
    8.64e15 + 1,
    "9999-12-31T23:59:59Z",
    "+275760-09-13T00:00:00.000Z",
    null,
  ];
  const state = async () =>
    JSON.stringify((await server.api("GET", `/api/incidents/${key}`)).body.timeline);

  beforeAll(async () => {
    server = await startTestServer({ env: ENV });
    key = (await server.api("POST", "/api/incidents", { summary: "Fuzz", severity: 3 })).body.key;
    const rooms: [string, string][] = [
      ["slack", DOCUMENTED.slackMessage.event.channel],
      ["slack", DOCUMENTED.slackReaction.item.channel],
      ["mattermost", DOCUMENTED.mattermostForm.channel_id],
      ["matrix", DOCUMENTED.matrixMessage.room_id],
      ["teams", DOCUMENTED.teamsActivity.conversation.id],
      ["webhook", DOCUMENTED.generic.channel as string],
    ];
    for (const [platform, channel] of rooms)
      expect(
        (await server.api("POST", `/api/incidents/${key}/channels`, { platform, channel })).status,
      ).toBe(201);
  });
  afterAll(() => server.close());

  it("mutates every time field of each platform's documented payload; never a 5xx, never a write", async () => {
    // Controls first: the documented payloads themselves are accepted and written, so a
    // refused mutant is refused for its time and not for something else.
    const slackReactedTo = copyOf(DOCUMENTED.slackMessage);
    slackReactedTo.event = {
      ...slackReactedTo.event,
      channel: DOCUMENTED.slackReaction.item.channel,
      ts: DOCUMENTED.slackReaction.item.ts,
      event_ts: DOCUMENTED.slackReaction.item.ts,
      text: "reacted to",
    };
    const now = new Date().toISOString();
    const controls: Hook[] = [
      slackSigned(copyOf(DOCUMENTED.slackMessage)),
      slackSigned(slackReactedTo),
      mattermost(copyOf(DOCUMENTED.mattermostForm)),
      matrixTransaction("control", [copyOf(DOCUMENTED.matrixMessage)]),
      teamsSigned({ ...copyOf(DOCUMENTED.teamsActivity), timestamp: now, localTimestamp: now }),
      genericSigned(copyOf(DOCUMENTED.generic)),
    ];
    for (const hook of controls)
      expect((await deliver(server.url, hook)).status, hook.path).toBe(200);
    const before = await state();
    expect((JSON.parse(before) as { external?: unknown }[]).filter((e) => e.external)).toHaveLength(
      controls.length,
    );

    let n = 0;
    const mutants: [string, Hook][] = [];
    for (const value of EXTREMES) {
      n++;
      const text = `mutant ${n}`;
      const slack = copyOf(DOCUMENTED.slackMessage);
      slack.event = { ...slack.event, ts: value as string, event_ts: value as string, text };
      mutants.push([`slack ts ${JSON.stringify(value)}`, slackSigned(slack)]);
      mutants.push([
        `slack reaction event_ts ${JSON.stringify(value)}`,
        slackSigned(
          slackEvent({ ...copyOf(DOCUMENTED.slackReaction), reaction: "pushpin", event_ts: value }),
        ),
      ]);
      mutants.push([
        `mattermost timestamp ${JSON.stringify(value)}`,
        mattermost({
          ...DOCUMENTED.mattermostForm,
          timestamp: String(value ?? ""),
          post_id: `mutant-${n}`,
          text,
        }),
      ]);
      mutants.push([
        `matrix origin_server_ts ${JSON.stringify(value)}`,
        matrixTransaction(`mutant-${n}`, [
          {
            ...copyOf(DOCUMENTED.matrixMessage),
            event_id: `$mutant${n}:example.org`,
            origin_server_ts: value,
          },
        ]),
      ]);
      mutants.push([
        `teams timestamp ${JSON.stringify(value)}`,
        teamsSigned({
          ...copyOf(DOCUMENTED.teamsActivity),
          id: `mutant-${n}`,
          timestamp: value,
          localTimestamp: value,
          text,
        }),
      ]);
      mutants.push([
        `generic at ${JSON.stringify(value)}`,
        genericSigned({ ...copyOf(DOCUMENTED.generic), id: `mutant-${n}`, at: value, text }),
      ]);
    }
    const deadline = Date.now() + 30_000;
    const statuses: Record<string, number> = {};
    for (const [what, hook] of mutants) {
      expect(Date.now(), "time bound").toBeLessThan(deadline);
      const answer = await deliver(server.url, hook);
      statuses[what] = answer.status;
      expect(answer.status, what).toBeLessThan(500);
      // Matrix answers 200 and leaves an unreadable event out (the homeserver would retry a refused transaction for ever).
      if (!hook.path.startsWith("/_matrix"))
        expect(answer.status, what).toBeGreaterThanOrEqual(400);
    }
    expect(Object.keys(statuses)).toHaveLength(EXTREMES.length * 6);
    expect(await state()).toBe(before);
    expect((await server.api("GET", "/healthz", undefined, null)).status).toBe(200);
  });
});
