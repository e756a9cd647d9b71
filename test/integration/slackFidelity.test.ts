import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyOf,
  DOCUMENTED,
  deliver,
  SECRETS,
  SLACK_REAL,
  slackEvent,
  slackSigned,
} from "../helpers/chatPayloads.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

interface Entry {
  id: string;
  text: string;
  editedAt?: string;
  external?: { channel: string; messageId: string };
}

/** Slack payloads as Slack sends them (see SLACK_REAL for where each comes from), through a real server. */
describe("Slack fidelity", () => {
  let server: TestServer;
  let key: string;
  const send = (hook: Parameters<typeof deliver>[1]) => deliver(server.url, hook);
  const stored = async () => (await server.api("GET", `/api/incidents/${key}`)).body;
  const timeline = async () => (await stored()).timeline as Entry[];
  const entryFor = async (channel: string, messageId: string) =>
    (await timeline()).find(
      (e) => e.external?.channel === channel && e.external?.messageId === messageId,
    );
  const metric = async (outcome: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text
      .split("\n")
      .find((l) =>
        l.startsWith(`hotdoc_chat_events_total{platform="slack",outcome="${outcome}",process=`),
      );
    return line ? Number(line.split(" ").at(-1)) : 0;
  };

  beforeAll(async () => {
    server = await startTestServer({ env: SECRETS });
    key = (await server.api("POST", "/api/incidents", { summary: "Slack as it is", severity: 2 }))
      .body.key;
    const channels = [
      DOCUMENTED.slackMessage.event.channel,
      SLACK_REAL.githubNotification.event.channel,
      SLACK_REAL.circleci.event.channel,
      SLACK_REAL.emailFileShare.event.channel,
      SLACK_REAL.unfurl.event.channel,
      SLACK_REAL.messageChanged.channel,
    ];
    for (const channel of new Set(channels)) {
      const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
        platform: "slack",
        channel,
      });
      expect(linked.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  /** Slack's documented message event, with `text` and `ts` set (the only fields changed). */
  const documentedMessage = (text: string, ts: string) => {
    const payload = copyOf(DOCUMENTED.slackMessage);
    payload.event.text = text;
    payload.event.ts = ts;
    payload.event.event_ts = ts;
    return payload;
  };
  const channel = DOCUMENTED.slackMessage.event.channel;

  it("turns Slack's escaping, links, channels, mentions and broadcasts into readable text", async () => {
    for (const [i, [wire, readable]] of SLACK_REAL.formatting.entries()) {
      const ts = `1355517600.${String(i).padStart(6, "0")}`;
      expect((await send(slackSigned(documentedMessage(wire, ts)))).status).toBe(200);
      expect((await entryFor(channel, ts))?.text, wire).toBe(readable);
    }
  });

  it("stores a role taken with a Slack mention as a name, not markup", async () => {
    // The mention is the docs' own `<@U024BE7LH|bob>` (page_formatting.md).
    await send(slackSigned(documentedMessage("im <@U024BE7LH|bob>", "1355517700.000001")));
    expect((await stored()).incidentManager).toBe("bob");
    // Without a name in the payload the user id stays, readable and free of `<@…>`.
    await send(slackSigned(documentedMessage("im <@U024BE7LH>", "1355517700.000002")));
    expect((await stored()).incidentManager).toBe("U024BE7LH");
  });

  it("mirrors a bot message that has only attachments", async () => {
    const payload = SLACK_REAL.githubNotification;
    const answer = await send(slackSigned(payload));
    expect(answer.status).toBe(200);
    expect((await entryFor(payload.event.channel, payload.event.ts))?.text).toBe(
      [
        "Issue created by ldub (https://github.com/ldub)",
        "#2 test issue 2 (https://github.com/myorg/myrepo/issues/2)",
        "another oneeeee",
      ].join("\n"),
    );
  });

  it("mirrors a message that has only blocks", async () => {
    const payload = copyOf(SLACK_REAL.circleci) as { event: Record<string, unknown> };
    // CircleCI also sets a notification `text`; without it only the blocks speak.
    delete payload.event.text;
    expect((await send(slackSigned(payload))).status).toBe(200);
    expect(
      (await entryFor(SLACK_REAL.circleci.event.channel, SLACK_REAL.circleci.event.ts))?.text,
    ).toBe(
      [
        "Job Failed. :red_circle:",
        "*Job*: something",
        "*Project*: something",
        "*Branch*: master",
        "*Author*: someone",
        "*Mentions*: @someone",
      ].join("\n"),
    );
  });

  it("mirrors a file shared without a comment by its name", async () => {
    const payload = SLACK_REAL.emailFileShare;
    expect((await send(slackSigned(payload))).status).toBe(200);
    expect((await entryFor(payload.event.channel, payload.event.ts))?.text).toBe(
      "Shared a file: meow",
    );
  });

  it("acknowledges a message with nothing readable and mirrors nothing", async () => {
    const payload = SLACK_REAL.nonSpecAttachment;
    const before = { skipped: await metric("skipped"), timeline: await timeline() };
    const answer = await send(slackSigned(payload));
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    // (The capture shares its ts with githubNotification's, so look at the whole timeline.)
    expect(await timeline()).toEqual(before.timeline);
    expect(await metric("skipped")).toBe(before.skipped + 1);
  });

  it("does not count a link unfurl as an edit", async () => {
    const unfurl = SLACK_REAL.unfurl.event;
    const original = unfurl.previous_message;
    await send(
      slackSigned(slackEvent({ ...original, channel: unfurl.channel, event_ts: original.ts })),
    );
    const mirrored = await entryFor(unfurl.channel, original.ts);
    expect(mirrored?.text).toBe(
      "https://jadeapptesting.slack.com/archives/C043YJGBY49/p1663966292304369",
    );
    expect((await send(slackSigned(SLACK_REAL.unfurl))).status).toBe(200);
    expect(await entryFor(unfurl.channel, original.ts)).toEqual(mirrored);
    expect((await entryFor(unfurl.channel, original.ts))?.editedAt).toBeUndefined();
  });

  it("still counts a real message_changed as an edit", async () => {
    const edit = SLACK_REAL.messageChanged;
    await send(
      slackSigned(
        slackEvent({
          type: "message",
          channel: edit.channel,
          user: edit.message.user,
          text: "Hello, wrold!",
          ts: edit.message.ts,
        }),
      ),
    );
    expect((await send(slackSigned(slackEvent(edit)))).status).toBe(200);
    expect(await entryFor(edit.channel, edit.message.ts)).toMatchObject({
      text: "Hello, world!",
      editedAt: new Date(1358878755000).toISOString(),
    });
  });

  it("runs a command once when Slack redelivers its message", async () => {
    const payload = documentedMessage("obs: EU checkout error rate 30%", "1355517800.000001");
    expect((await send(slackSigned(payload))).status).toBe(200);
    // A retry after the answer, then retries racing each other (Slack retries after 3 s
    // without an answer, so a slow write can overlap its own redeliveries).
    expect((await send(slackSigned(payload, { retry: 1 }))).status).toBe(200);
    const racing = [2, 3, 4].map((retry) => send(slackSigned(payload, { retry })));
    for (const answer of await Promise.all(racing)) expect(answer.status).toBe(200);
    const doc = await stored();
    expect(
      doc.observations.filter((o: { text: string }) => o.text === "EU checkout error rate 30%"),
    ).toHaveLength(1);
    expect(doc.timeline.filter((e: Entry) => e.text === "EU checkout error rate 30%")).toHaveLength(
      1,
    );
  });

  it("acknowledges app_rate_limited and logs it", async () => {
    const before = await metric("skipped");
    const answer = await send(slackSigned(SLACK_REAL.appRateLimited));
    expect(answer.status).toBe(200);
    expect(await metric("skipped")).toBe(before + 1);
  });
});
