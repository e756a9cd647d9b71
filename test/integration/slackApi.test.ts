import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Delivery } from "../../server/bridge/ChatAdapter.ts";
import { ChatApiError } from "../../server/bridge/ChatApi.ts";
import type { PlatformDeps } from "../../server/bridge/platforms/PlatformModule.ts";
import { slackEnv } from "../../server/bridge/platforms/slack/env.ts";
import { slack } from "../../server/bridge/platforms/slack/index.ts";
import { SlackAdapter } from "../../server/bridge/platforms/slack/SlackAdapter.ts";
import { SlackApi } from "../../server/bridge/platforms/slack/SlackApi.ts";
import { HotdocError } from "../../server/errors.ts";
import { createLogger } from "../../server/logger.ts";
import { OutboundTargets, TargetRefusedError } from "../../server/net/outboundTarget.ts";
import {
  DOCUMENTED as CHAT_DOCUMENTED,
  copyOf,
  type Hook,
  SECRETS,
  SLACK_COMMAND_DOCUMENTED,
  SLACK_REAL,
  slackCommandSigned,
  slackEvent,
  slackSigned,
} from "../helpers/chatPayloads.ts";
import {
  DOCUMENTED,
  type FakeSlack,
  type SlackUser,
  startFakeSlack,
} from "../helpers/fakeSlack.ts";

/** The documented user (users.info example) with its id and named fields changed. */
function user(id: string, change: (u: SlackUser & typeof DOCUMENTED.user) => void): SlackUser {
  const copy = { ...structuredClone(DOCUMENTED.user), id };
  change(copy);
  return copy;
}

const USERS = [
  user("U0CHOSEN", () => {}),
  user("U0REALNAME", (u) => {
    u.profile.display_name = "";
    u.profile.display_name_normalized = "";
  }),
  user("U0TOPLEVEL", (u) => {
    u.profile.display_name = "";
    u.profile.real_name = "";
  }),
  user("U0HANDLE", (u) => {
    u.profile.display_name = "";
    u.profile.real_name = "";
    u.real_name = "";
  }),
  user("U0ALICE", (u) => {
    u.profile.display_name = "alice";
  }),
  user("U0BOB", (u) => {
    u.profile.display_name = "bob";
  }),
  user("U0UNCONFIRMED", (u) => {
    u.is_email_confirmed = false;
  }),
  user("U0UNSAID", (u) => {
    delete (u as Partial<typeof u>).is_email_confirmed;
  }),
  // Someone of another organisation in a Slack Connect channel: users.info marks them
  // `is_stranger` (https://docs.slack.dev/reference/methods/users.info, "Shared channels").
  user("U0STRANGER", (u) => {
    u.is_stranger = true;
  }),
];

/** Fast retries for tests: three attempts, 10 ms first backoff. */
const RETRY = { attempts: 3, baseMs: 10, maxWaitMs: 2000 };

describe("Slack Web API client against a local Slack", () => {
  let fake: FakeSlack;
  let api: SlackApi;
  const deps = (outbound = new OutboundTargets([], { allowPrivate: true })): PlatformDeps => ({
    outbound,
    logger: createLogger("silent"),
    retry: RETRY,
  });
  const settings = (token = fake.token) =>
    slackEnv.parse({ SLACK_BOT_TOKEN: token, SLACK_API_URL: fake.url });

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: USERS,
      channels: [
        { id: "C0ROOM0001", name: "incidents" },
        // An archived room from an earlier install holds the name hotdoc wants.
        { id: "C0OLD00042", name: "hot-42" },
      ],
    });
    api = new SlackApi(settings(), deps());
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.calls.length = 0;
  });

  it("is built by the platform module only when a bot token is configured", () => {
    expect(slack.api?.(settings(), deps())).toBeInstanceOf(SlackApi);
    const tokenless = slackEnv.parse({ SLACK_API_URL: fake.url });
    expect(slack.api?.(tokenless, deps())).toBeUndefined();
    expect(slack.apiUrl?.(settings())).toBe(fake.url);
    expect(slack.apiUrl?.(tokenless)).toBeUndefined();
    expect(slack.commandPath).toBe("/hooks/slack/commands");
  });

  it("posts blocks with a fallback text, escaped, the token in the Authorization header", async () => {
    await api.post("C0ROOM0001", {
      text: "[hotdoc] Severity of HOT-7 is now SEV1 <@U0ALICE> & <!channel>\nsecond line",
      kind: "announcement",
    });
    const [call] = fake.callsOf("chat.postMessage");
    expect(call.headers.authorization).toBe(`Bearer ${fake.token}`);
    // The client sends form encoding; structured arguments are JSON strings in it.
    expect(call.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    const escaped =
      "[hotdoc] Severity of HOT-7 is now SEV1 &lt;@U0ALICE&gt; &amp; &lt;!channel&gt;\nsecond line";
    expect(call.args.text).toBe(escaped);
    expect(call.args.unfurl_links).toBe("false");
    expect(JSON.parse(String(call.args.blocks))).toEqual([
      { type: "section", text: { type: "mrkdwn", text: escaped } },
    ]);
    const room = fake.channels.get("C0ROOM0001");
    expect(room?.messages.at(-1)?.text).toBe(escaped);
  });

  it("splits a text longer than a section into several, never inside an escape", async () => {
    const line = `${"x".repeat(2998)}&y`;
    await api.post("C0ROOM0001", { text: `${line}\n${"z".repeat(10)}`, kind: "reply" });
    const blocks = JSON.parse(String(fake.callsOf("chat.postMessage")[0].args.blocks)) as {
      text: { text: string };
    }[];
    expect(blocks.map((b) => b.text.text)).toEqual(["x".repeat(2998), `&amp;y\n${"z".repeat(10)}`]);
  });

  it("creates a room: channel, topic and invitations; people already in it are no error", async () => {
    const room = await api.createRoom({
      name: "HOT-7",
      topic: "SEV2 · Checkout is failing · investigating",
      invite: ["U0ALICE", "U0BOB", fake.botUserId, "U0ALICE"],
    });
    expect(room.name).toBe("hot-7");
    const channel = fake.channels.get(room.channel);
    expect(channel?.name).toBe("hot-7");
    expect(channel?.topic).toBe("SEV2 · Checkout is failing · investigating");
    expect([...(channel?.members ?? [])].sort()).toEqual(
      ["U0ALICE", "U0BOB", fake.botUserId].sort(),
    );
    expect(fake.calls.map((c) => c.method)).toEqual([
      "conversations.create",
      "conversations.setTopic",
      "conversations.invite",
    ]);
    expect(fake.callsOf("conversations.create")[0].args).toMatchObject({
      name: "hot-7",
      is_private: "false",
    });
    expect(fake.callsOf("conversations.invite")[0].args.users).toBe(
      `U0ALICE,U0BOB,${fake.botUserId}`,
    );
    // Inviting again: everyone is in already, which is how it should be.
    await expect(api.invite(room.channel, ["U0ALICE", "U0BOB"])).resolves.toBeUndefined();
  });

  it("takes name-2 when Slack says the name is taken", async () => {
    const room = await api.createRoom({ name: "hot-42", topic: "SEV3 · Disk filling", invite: [] });
    expect(room.name).toBe("hot-42-2");
    expect(room.channel).not.toBe("C0OLD00042");
    expect(fake.callsOf("conversations.create").map((c) => c.args.name)).toEqual([
      "hot-42",
      "hot-42-2",
    ]);
    expect(fake.channels.get(room.channel)?.topic).toBe("SEV3 · Disk filling");
    // No one to invite: no invite call.
    expect(fake.callsOf("conversations.invite")).toHaveLength(0);
  });

  it("cuts a topic to Slack's 250 characters with an ellipsis", async () => {
    const topic = `SEV1 · ${"Everything is on fire ".repeat(20)}`;
    expect(topic.length).toBeGreaterThan(250);
    await api.setTopic("C0ROOM0001", topic);
    const stored = fake.channels.get("C0ROOM0001")?.topic ?? "";
    expect(stored.length).toBeLessThanOrEqual(250);
    expect(stored.endsWith("…")).toBe(true);
    expect(topic.startsWith(stored.slice(0, -1))).toBe(true);
  });

  it("names people by display name, then real name, then the user's real name, then handle", async () => {
    const name = async (id: string) => (await api.person(id)).name;
    expect(await name("U0CHOSEN")).toBe("spengler");
    expect(await name("U0REALNAME")).toBe("Egon Spengler");
    expect(await name("U0TOPLEVEL")).toBe("Egon Spengler");
    expect(await name("U0HANDLE")).toBe("spengler");
    expect(await api.person("U0NOBODY")).toEqual({ name: null, email: null });
    expect(fake.callsOf("users.info").map((c) => c.args.user)).toEqual([
      "U0CHOSEN",
      "U0REALNAME",
      "U0TOPLEVEL",
      "U0HANDLE",
      "U0NOBODY",
    ]);
  });

  it("gives the profile's email, and none when the token lacks users:read.email", async () => {
    expect(await api.person("U0CHOSEN")).toEqual({
      name: "spengler",
      email: "spengler@ghostbusters.example.com",
    });
    const withoutScope = await startFakeSlack({ users: USERS, readsEmail: false });
    try {
      const blind = new SlackApi(
        slackEnv.parse({ SLACK_BOT_TOKEN: withoutScope.token, SLACK_API_URL: withoutScope.url }),
        deps(),
      );
      expect(await blind.person("U0CHOSEN")).toEqual({ name: "spengler", email: null });
    } finally {
      await withoutScope.close();
    }
  });

  it("gives no email Slack has not confirmed, nor a stranger's, and keeps their names", async () => {
    const nameOnly = { name: "spengler", email: null };
    expect(await api.person("U0UNCONFIRMED")).toEqual(nameOnly);
    expect(await api.person("U0UNSAID")).toEqual(nameOnly);
    expect(await api.person("U0STRANGER")).toEqual(nameOnly);
    // Each of them has the address in Slack's answer: it is hotdoc that leaves it out.
    expect(fake.callsOf("users.info")).toHaveLength(3);
    for (const id of ["U0UNCONFIRMED", "U0UNSAID", "U0STRANGER"])
      expect((fake.users.get(id)?.profile as { email?: string } | undefined)?.email).toBe(
        "spengler@ghostbusters.example.com",
      );
  });

  it("waits out a 429's Retry-After, then succeeds", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const started = Date.now();
    await api.post("C0ROOM0001", { text: "after the rate limit", kind: "reply" });
    const calls = fake.callsOf("chat.postMessage");
    expect(calls).toHaveLength(2);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(fake.channels.get("C0ROOM0001")?.messages.at(-1)?.text).toBe("after the rate limit");
  });

  it("retries a 500, then succeeds", async () => {
    fake.failNext("conversations.setTopic", { status: 500 });
    await api.setTopic("C0ROOM0001", "SEV2 · recovering");
    expect(fake.callsOf("conversations.setTopic")).toHaveLength(2);
    expect(fake.channels.get("C0ROOM0001")?.topic).toBe("SEV2 · recovering");
  });

  it("gives up after the attempts the policy allows", async () => {
    for (let i = 0; i < RETRY.attempts; i++) fake.failNext("chat.postMessage", { status: 503 });
    const failure = api.post("C0ROOM0001", { text: "never", kind: "reply" });
    await expect(failure).rejects.toBeInstanceOf(ChatApiError);
    await expect(failure).rejects.toMatchObject({ platform: "slack", status: 503 });
    expect(fake.callsOf("chat.postMessage")).toHaveLength(RETRY.attempts);
  });

  it("does not retry Slack's refusal, and says which it was", async () => {
    const failure = api.post("C0NOSUCH01", { text: "into the void", kind: "announcement" });
    await expect(failure).rejects.toBeInstanceOf(ChatApiError);
    await expect(failure).rejects.toMatchObject({
      platform: "slack",
      status: 200,
      code: "channel_not_found",
    });
    expect(fake.callsOf("chat.postMessage")).toHaveLength(1);
  });

  it("reports a wrong token as Slack does (invalid_auth)", async () => {
    const wrong = new SlackApi(settings("xoxb-0000-wrong"), deps());
    await expect(wrong.setTopic("C0ROOM0001", "x")).rejects.toMatchObject({
      code: "invalid_auth",
    });
    expect(fake.callsOf("conversations.setTopic")).toHaveLength(1);
  });

  it("refuses a loopback API URL unless private targets are allowed", async () => {
    const strict = new OutboundTargets([]);
    await expect(strict.agentFor(fake.url)).rejects.toBeInstanceOf(TargetRefusedError);
    const refused = new SlackApi(settings(), deps(strict));
    const failure = refused.post("C0ROOM0001", { text: "leak", kind: "announcement" });
    await expect(failure).rejects.toMatchObject({ name: "ChatApiError", code: "target_refused" });
    await expect(failure).rejects.toSatisfy(
      (error: Error) => error.cause instanceof TargetRefusedError,
    );
    expect(fake.calls).toHaveLength(0);
  });
});

describe("Slack slash commands", () => {
  const adapter = new SlackAdapter(SECRETS.SLACK_SIGNING_SECRET);
  const delivery = (hook: Hook, now = Date.now()): Delivery => ({
    raw: Buffer.from(hook.body),
    headers: new Headers(hook.headers),
    query: new URLSearchParams(),
    params: {},
    now,
  });

  it("reads Slack's documented slash command payload, signed", () => {
    const now = Date.now();
    const command = adapter.handleCommand(delivery(slackCommandSigned(), now));
    expect(command).toEqual({
      platform: "slack",
      channel: "C2147483705",
      channelName: "test",
      userId: "U2147483697",
      userName: "Steve",
      text: "94070",
      id: "13345224609.738474920.8088930838d88f008e0",
      at: new Date(now).toISOString(),
    });
  });

  it("trims the words after the command", () => {
    const hook = slackCommandSigned(SLACK_COMMAND_DOCUMENTED, {
      fields: { command: "/hotdoc", text: "  declare sev2 Checkout is failing  " },
    });
    expect(adapter.handleCommand(delivery(hook)).text).toBe("declare sev2 Checkout is failing");
  });

  it("reads Slack's escaping in the words as the person typed them", () => {
    const hook = slackCommandSigned(SLACK_COMMAND_DOCUMENTED, {
      fields: { command: "/hotdoc", text: "ic <@U024BE7LH|bob> &amp; obs p99 &gt; 2s" },
    });
    expect(adapter.handleCommand(delivery(hook)).text).toBe("ic @bob & obs p99 > 2s");
  });

  it("refuses a bad signature and a stale timestamp", () => {
    const forged = slackCommandSigned(SLACK_COMMAND_DOCUMENTED, { secret: "not-the-secret" });
    expect(() => adapter.handleCommand(delivery(forged))).toThrow(
      expect.objectContaining({ code: "signature_invalid" }),
    );
    const tampered = slackCommandSigned();
    tampered.body = tampered.body.replace("text=94070", "text=declare");
    expect(() => adapter.handleCommand(delivery(tampered))).toThrow(
      expect.objectContaining({ code: "signature_invalid" }),
    );
    const old = slackCommandSigned(SLACK_COMMAND_DOCUMENTED, {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(() => adapter.handleCommand(delivery(old))).toThrow(
      expect.objectContaining({ code: "timestamp_stale" }),
    );
  });

  it("refuses a command without a trigger_id, naming the field", () => {
    const hook = slackCommandSigned(SLACK_COMMAND_DOCUMENTED, { fields: { trigger_id: null } });
    let thrown: unknown;
    try {
      adapter.handleCommand(delivery(hook));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HotdocError);
    expect(thrown).toMatchObject({ code: "invalid_payload", field: "trigger_id" });
  });

  it("refuses a command that is not form-encoded", () => {
    const hook = slackCommandSigned();
    hook.headers["content-type"] = "application/json";
    expect(() => adapter.handleCommand(delivery(hook))).toThrow(
      expect.objectContaining({ code: "invalid_payload" }),
    );
  });

  it("answers in the channel, marked as hotdoc's own words and escaped", () => {
    expect(adapter.commandAnswer("HOT-9 declared <SEV2> & paged <!channel>")).toEqual({
      status: 200,
      body: {
        response_type: "in_channel",
        text: "[hotdoc] HOT-9 declared &lt;SEV2&gt; &amp; paged &lt;!channel&gt;",
      },
    });
  });
});

describe("Slack mentions by user id", () => {
  const adapter = new SlackAdapter(SECRETS.SLACK_SIGNING_SECRET);
  const handle = (payload: unknown) => {
    const hook = slackSigned(payload);
    return adapter.handle({
      raw: Buffer.from(hook.body),
      headers: new Headers(hook.headers),
      query: new URLSearchParams(),
      params: {},
      now: Date.now(),
    });
  };
  /** Slack's documented message event with `text` and `ts` changed. */
  const message = (text: string, ts: string) => {
    const payload = copyOf(CHAT_DOCUMENTED.slackMessage);
    payload.event.text = text;
    payload.event.ts = ts;
    payload.event.event_ts = ts;
    payload.event_time = Math.floor(Date.now() / 1000);
    return payload;
  };
  const nowTs = (n: number) => `${Math.floor(Date.now() / 1000)}.00000${n}`;

  it("reports an unlabelled mention with the id that stands for it in the text", () => {
    // "<@U024BE7LH>" from SLACK_REAL.formatting (slackhq/slack-api-docs page_formatting.md).
    const [wire, readable] = SLACK_REAL.formatting[3];
    expect(wire).toBe("<@U024BE7LH>");
    const { events } = handle(message(`ping ${wire} please`, nowTs(1)));
    expect(events).toEqual([
      expect.objectContaining({
        action: "post",
        text: `ping ${readable} please`,
        userMentions: [{ id: "U024BE7LH", text: "@U024BE7LH" }],
      }),
    ]);
  });

  it("keeps a label in the text and still reports the id", () => {
    const [wire, readable] = SLACK_REAL.formatting[2];
    expect(wire).toBe("Hey <@U024BE7LH|bob>, did you see my file?");
    const { events } = handle(message(wire, nowTs(2)));
    expect(events).toEqual([
      expect.objectContaining({
        text: readable,
        userMentions: [{ id: "U024BE7LH", text: "@bob" }],
      }),
    ]);
  });

  it("reports mentions on edits (message_changed)", () => {
    const ts = nowTs(3);
    const changed = copyOf(SLACK_REAL.messageChanged);
    changed.message.text = "handing IC to <@U0G9QF9C6>";
    changed.message.edited.ts = ts;
    changed.ts = ts;
    const { events } = handle(slackEvent(changed));
    expect(events).toEqual([
      expect.objectContaining({
        action: "edit",
        text: "handing IC to @U0G9QF9C6",
        userMentions: [{ id: "U0G9QF9C6", text: "@U0G9QF9C6" }],
      }),
    ]);
  });

  it("leaves userMentions out when no one is mentioned, and bots and groups are no people", () => {
    const { events } = handle(
      message("<!here> <!subteam^S0123468791|@oncall> <@B01234687> deploying", nowTs(4)),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty("userMentions");
  });
});
