import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANNOUNCEMENT_MARK } from "#shared/chat/chatEvent.ts";
import type { Delivery } from "../../server/bridge/ChatAdapter.ts";
import { ChatApiError } from "../../server/bridge/ChatApi.ts";
import { matrixEnv } from "../../server/bridge/platforms/matrix/env.ts";
import { matrix } from "../../server/bridge/platforms/matrix/index.ts";
import { MatrixApi } from "../../server/bridge/platforms/matrix/MatrixApi.ts";
import { mattermostEnv } from "../../server/bridge/platforms/mattermost/env.ts";
import { mattermost } from "../../server/bridge/platforms/mattermost/index.ts";
import { MattermostAdapter } from "../../server/bridge/platforms/mattermost/MattermostAdapter.ts";
import { MattermostApi } from "../../server/bridge/platforms/mattermost/MattermostApi.ts";
import type { PlatformDeps } from "../../server/bridge/platforms/PlatformModule.ts";
import { HotdocError } from "../../server/errors.ts";
import { createLogger } from "../../server/logger.ts";
import { OutboundTargets } from "../../server/net/outboundTarget.ts";
import {
  type Hook,
  MATTERMOST_COMMAND_TOKEN,
  MATTERMOST_SLASH_COMMAND,
  mattermostSlashCommand,
} from "../helpers/chatPayloads.ts";
import { FakeMatrix } from "../helpers/fakeMatrix.ts";
import { FakeMattermost } from "../helpers/fakeMattermost.ts";

const AS_TOKEN = "as-token-30c05ae90a248a4188e620216fa72e349803310ec83e2a77b34fe90be6081f46";
const BOT_TOKEN = "9ff3tsq3ufb4uxpyp5ajfktgyc";

/** Settings as the env fragment reads them from MATRIX_* variables. */
const matrixSettings = (env: Record<string, string>) => matrixEnv.parse(env);
/** Settings as the env fragment reads them from MATTERMOST_* variables. */
const mattermostSettings = (env: Record<string, string>) => mattermostEnv.parse(env);

function deps(): PlatformDeps {
  return {
    outbound: new OutboundTargets([], { allowPrivate: true }),
    logger: createLogger("silent"),
    retry: { attempts: 3, baseMs: 5, maxWaitMs: 2_000 },
  };
}

async function failure(promise: Promise<unknown>): Promise<ChatApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChatApiError);
    return error as ChatApiError;
  }
  throw new Error("expected the call to fail");
}

function delivery(hook: Hook): Delivery {
  return {
    raw: Buffer.from(hook.body),
    headers: new Headers(hook.headers),
    query: new URLSearchParams(),
    params: {},
    now: Date.now(),
  };
}

function refusal(run: () => unknown): HotdocError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HotdocError);
    return error as HotdocError;
  }
  throw new Error("expected a refusal");
}

describe("Matrix client-server API through the application service", () => {
  let fake: FakeMatrix;
  let api: MatrixApi;

  beforeAll(async () => {
    fake = await FakeMatrix.start({ asToken: AS_TOKEN });
    api = new MatrixApi(
      matrixSettings({ MATRIX_AS_TOKEN: AS_TOKEN, MATRIX_HOMESERVER_URL: fake.url }),
      deps(),
    );
  });
  afterAll(() => fake.close());

  it("is built only when the as_token and the homeserver URL are configured", () => {
    expect(matrix.api?.(matrixSettings({ MATRIX_HS_TOKEN: "hs" }), deps())).toBeUndefined();
    const configured = matrixSettings({
      MATRIX_AS_TOKEN: AS_TOKEN,
      MATRIX_HOMESERVER_URL: fake.url,
    });
    expect(matrix.api?.(configured, deps())).toBeInstanceOf(MatrixApi);
    expect(matrix.apiUrl?.(configured)).toBe(fake.url);
  });

  it("posts an m.notice with a plain body and an escaped HTML body, as the bot, with its token", async () => {
    const room = fake.seedRoom("!post:example.org");
    const text = `${ANNOUNCEMENT_MARK} Severity <SEV1> & "checkout"\nRole IC: Ana`;
    await api.post(room.roomId, { text, kind: "announcement" });

    const [call] = fake.callsTo("!post:example.org/send");
    expect(call.method).toBe("PUT");
    // Path parameters are percent-encoded (encodeURIComponent: `:` is, `!` needs not be).
    expect(call.path).toMatch(
      /^\/_matrix\/client\/v3\/rooms\/!post%3Aexample\.org\/send\/m\.room\.message\/hotdoc\.[0-9a-f-]{36}$/,
    );
    expect(call.headers.authorization).toBe(`Bearer ${AS_TOKEN}`);
    expect(call.headers["content-type"]).toBe("application/json");
    expect(room.events).toHaveLength(1);
    expect(room.events[0].content).toEqual({
      msgtype: "m.notice",
      body: text,
      format: "org.matrix.custom.html",
      formatted_body: "[hotdoc] Severity &lt;SEV1&gt; &amp; &quot;checkout&quot;<br>Role IC: Ana",
    });
  });

  it("retries a send that failed with 500 under the same txnId, and a new message gets a new one", async () => {
    const room = fake.seedRoom("!txn:example.org");
    fake.failNext("!txn:example.org/send", { status: 500 });
    await api.post(room.roomId, { text: "first", kind: "reply" });
    const retried = fake.callsTo("!txn:example.org/send");
    expect(retried).toHaveLength(2);
    expect(retried[1].path).toBe(retried[0].path);
    expect(room.events.map((e) => e.content.body)).toEqual(["first"]);

    await api.post(room.roomId, { text: "second", kind: "reply" });
    const all = fake.callsTo("!txn:example.org/send");
    expect(all).toHaveLength(3);
    expect(all[2].path).not.toBe(all[0].path);
  });

  it("is answered from the homeserver's transaction record when the same txnId comes again", async () => {
    // The homeserver applied the first send; only its answer was lost. The retry carries
    // the same txnId, so the room still holds one message.
    const room = fake.seedRoom("!replay:example.org");
    await api.post(room.roomId, { text: "once", kind: "reply" });
    const [sent] = fake.callsTo("!replay:example.org/send");
    const again = await fetch(`${fake.url}${sent.path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${AS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(sent.body),
    });
    expect(again.status).toBe(200);
    expect(room.events).toHaveLength(1);
  });

  it("creates a public room named after the key, with its alias, topic and invitations", async () => {
    const created = await api.createRoom({
      name: "hot-42",
      topic: "SEV2 · investigating · Checkout is failing · IC Ana",
      invite: ["@ana:example.org", "@bob:example.org"],
    });
    expect(created.name).toBe("hot-42");
    const [call] = fake.callsTo("createRoom");
    expect(call.method).toBe("POST");
    expect(call.body).toEqual({
      preset: "public_chat",
      room_alias_name: "hot-42",
      name: "HOT-42",
      topic: "SEV2 · investigating · Checkout is failing · IC Ana",
    });
    // Invited apart from the creation, so a refused invitee cannot fail the room.
    expect(
      fake.callsTo(`${created.channel}/invite`).map((c) => (c.body as { user_id: string }).user_id),
    ).toEqual(["@ana:example.org", "@bob:example.org"]);
    const room = fake.rooms.get(created.channel);
    expect(room?.alias).toBe("hot-42");
    expect(room?.topic).toBe("SEV2 · investigating · Checkout is failing · IC Ana");
    expect(room?.members.get("@ana:example.org")).toBe("invite");
  });

  it("takes the next alias when the key's alias is in use (M_ROOM_IN_USE)", async () => {
    fake.seedAlias("hot-43");
    const before = fake.callsTo("createRoom").length;
    const created = await api.createRoom({ name: "hot-43", topic: "SEV3", invite: [] });
    expect(created.name).toBe("hot-43-2");
    const attempts = fake.callsTo("createRoom").slice(before);
    expect(attempts.map((c) => (c.body as { room_alias_name: string }).room_alias_name)).toEqual([
      "hot-43",
      "hot-43-2",
    ]);
    expect(fake.rooms.get(created.channel)?.name).toBe("HOT-43-2");
  });

  it("sets the room topic as m.room.topic state", async () => {
    const room = fake.seedRoom("!topic:example.org");
    await api.setTopic(room.roomId, "SEV1 · mitigated · IC Ana, Comms Bob");
    const [call] = fake.callsTo("!topic:example.org/state");
    expect(call.method).toBe("PUT");
    expect(call.path).toBe("/_matrix/client/v3/rooms/!topic%3Aexample.org/state/m.room.topic");
    expect(room.topic).toBe("SEV1 · mitigated · IC Ana, Comms Bob");
    expect(room.topicContent?.["m.topic"]).toEqual({
      "m.text": [{ mimetype: "text/plain", body: "SEV1 · mitigated · IC Ana, Comms Bob" }],
    });
  });

  it("invites everyone, someone already joined or already invited being no error", async () => {
    const room = fake.seedRoom("!invite:example.org", {
      "@bob:example.org": "join",
      "@dan:example.org": "invite",
    });
    await api.invite(room.roomId, ["@bob:example.org", "@carol:example.org", "@dan:example.org"]);
    const calls = fake.callsTo("!invite:example.org/invite");
    expect(calls.map((c) => c.body)).toEqual([
      { user_id: "@bob:example.org" },
      { user_id: "@carol:example.org" },
      { user_id: "@dan:example.org" },
    ]);
    expect(room.members.get("@carol:example.org")).toBe("invite");
    expect(room.members.get("@bob:example.org")).toBe("join");

    // MSC3848's errcode for the same case, where Synapse has it enabled.
    fake.failNext("!invite:example.org/invite", {
      status: 403,
      body: {
        errcode: "ORG.MATRIX.MSC3848.ALREADY_JOINED",
        error: "@bob:example.org is already in the room.",
      },
    });
    await api.invite(room.roomId, ["@bob:example.org"]);
  });

  it("refuses an invitation the homeserver forbids, after trying everyone, without retrying", async () => {
    const room = fake.seedRoom("!banned:example.org");
    fake.failNext("!banned:example.org/invite", {
      status: 403,
      body: { errcode: "M_FORBIDDEN", error: "@eve:example.org is banned from the room" },
    });
    const error = await failure(api.invite(room.roomId, ["@eve:example.org", "@ana:example.org"]));
    expect(error).toMatchObject({ platform: "matrix", status: 403, code: "M_FORBIDDEN" });
    expect(fake.callsTo("!banned:example.org/invite")).toHaveLength(2);
    expect(room.members.get("@ana:example.org")).toBe("invite");
  });

  it("reads display names from profiles, with no email; an unknown user has no name", async () => {
    fake.seedProfile("@ana:example.org", "Ana Diaz");
    expect(await api.person("@ana:example.org")).toEqual({ name: "Ana Diaz", email: null });
    const [call] = fake.callsTo("profile/@ana:example.org");
    expect(call.path).toBe("/_matrix/client/v3/profile/%40ana%3Aexample.org/displayname");
    expect(await api.person("@nobody:example.org")).toEqual({ name: null, email: null });
  });

  it("waits the Retry-After of a 429 and succeeds", async () => {
    const room = fake.seedRoom("!slow:example.org");
    fake.failNext("!slow:example.org/send", { status: 429, retryAfter: 1 });
    const started = Date.now();
    await api.post(room.roomId, { text: "after the wait", kind: "announcement" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo("!slow:example.org/send")).toHaveLength(2);
    expect(room.events).toHaveLength(1);
  });

  it("waits the retry_after_ms of an M_LIMIT_EXCEEDED body without Retry-After", async () => {
    const room = fake.seedRoom("!limited:example.org");
    // The spec's rate-limit error (data/api/client-server/definitions/errors/rate_limited.yaml).
    fake.failNext("!limited:example.org/state", {
      status: 429,
      body: { errcode: "M_LIMIT_EXCEEDED", error: "Too many requests", retry_after_ms: 300 },
    });
    const started = Date.now();
    await api.setTopic(room.roomId, "SEV2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(room.topic).toBe("SEV2");
  });

  it("does not retry a 403: it throws ChatApiError with the errcode", async () => {
    const room = fake.seedRoom("!forbidden:example.org");
    fake.failNext("!forbidden:example.org/send", {
      status: 403,
      body: {
        errcode: "M_FORBIDDEN",
        error: "You don't have permission to post that to the room.",
      },
    });
    const error = await failure(api.post(room.roomId, { text: "no", kind: "reply" }));
    expect(error).toMatchObject({ platform: "matrix", status: 403, code: "M_FORBIDDEN" });
    expect(fake.callsTo("!forbidden:example.org/send")).toHaveLength(1);
  });

  it("reports a wrong as_token as the homeserver's M_UNKNOWN_TOKEN", async () => {
    const wrong = new MatrixApi(
      matrixSettings({ MATRIX_AS_TOKEN: "wrong", MATRIX_HOMESERVER_URL: fake.url }),
      deps(),
    );
    const error = await failure(wrong.setTopic("!post:example.org", "x"));
    expect(error).toMatchObject({ status: 401, code: "M_UNKNOWN_TOKEN" });
  });
});

describe("Mattermost REST API v4 as a bot", () => {
  let fake: FakeMattermost;
  let api: MattermostApi;
  const settings = (env: Record<string, string> = {}) =>
    mattermostSettings({
      MATTERMOST_URL: fake.url,
      MATTERMOST_BOT_TOKEN: BOT_TOKEN,
      MATTERMOST_TEAM_ID: fake.teamId,
      ...env,
    });

  beforeAll(async () => {
    fake = await FakeMattermost.start({ botToken: BOT_TOKEN });
    api = new MattermostApi(settings(), deps());
  });
  afterAll(() => fake.close());

  it("is built only when the URL and the bot token are configured", () => {
    expect(mattermost.api?.(mattermostSettings({ MATTERMOST_TOKEN: "t" }), deps())).toBeUndefined();
    expect(mattermost.api?.(settings(), deps())).toBeInstanceOf(MattermostApi);
    expect(mattermost.apiUrl?.(settings())).toBe(fake.url);
    expect(mattermost.commandPath).toBe("/hooks/mattermost/commands");
  });

  it("creates a post with the bot's token", async () => {
    const channel = fake.seedChannel("town-square");
    await api.post(channel.id, {
      text: `${ANNOUNCEMENT_MARK} Severity is now SEV1`,
      kind: "announcement",
    });
    const [call] = fake.callsTo("api/v4/posts");
    expect(call.method).toBe("POST");
    expect(call.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(call.headers["content-type"]).toBe("application/json");
    expect(call.body).toEqual({
      channel_id: channel.id,
      message: `${ANNOUNCEMENT_MARK} Severity is now SEV1`,
    });
    expect(fake.posts.at(-1)?.message).toBe(`${ANNOUNCEMENT_MARK} Severity is now SEV1`);
  });

  it("opens a public channel in the team with the topic as header, and adds the responders", async () => {
    const ana = fake.seedUser({ username: "ana" });
    const bob = fake.seedUser({ username: "bob" });
    const created = await api.createRoom({
      name: "hot-42",
      topic: "SEV2 · investigating · Checkout is failing",
      invite: [ana.id, bob.id],
    });
    expect(created.name).toBe("hot-42");
    const [call] = fake.callsTo("api/v4/channels").filter((c) => c.segments.length === 3);
    expect(call.body).toEqual({
      team_id: fake.teamId,
      name: "hot-42",
      display_name: "HOT-42",
      type: "O",
      header: "SEV2 · investigating · Checkout is failing",
    });
    const channel = fake.channels.get(created.channel);
    expect(channel?.header).toBe("SEV2 · investigating · Checkout is failing");
    expect([...(fake.members.get(created.channel) ?? [])]).toEqual(
      expect.arrayContaining([ana.id, bob.id]),
    );
  });

  it("takes the next name when the channel name is taken in the team", async () => {
    fake.seedChannel("hot-43");
    const created = await api.createRoom({ name: "hot-43", topic: "SEV3", invite: [] });
    expect(created.name).toBe("hot-43-2");
    expect(fake.channels.get(created.channel)?.display_name).toBe("HOT-43-2");
  });

  it("says MATTERMOST_TEAM_ID is missing instead of creating a channel nowhere", async () => {
    const before = fake.calls.length;
    const teamless = new MattermostApi(
      mattermostSettings({ MATTERMOST_URL: fake.url, MATTERMOST_BOT_TOKEN: BOT_TOKEN }),
      deps(),
    );
    const error = await failure(teamless.createRoom({ name: "hot-44", topic: "", invite: [] }));
    expect(error.message).toContain("MATTERMOST_TEAM_ID");
    expect(fake.calls.length).toBe(before);
  });

  it("sets the header with PUT …/patch, cut to the 1024 runes Mattermost accepts", async () => {
    const channel = fake.seedChannel("hot-45");
    const topic = "🔥".repeat(1100);
    await api.setTopic(channel.id, topic);
    const [call] = fake.callsTo(`channels/${channel.id}/patch`);
    expect(call.method).toBe("PUT");
    expect(Array.from(channel.header)).toHaveLength(1024);
    expect(channel.header.endsWith("…")).toBe(true);
  });

  it("adds members, someone already in the channel being no error", async () => {
    const cy = fake.seedUser({ username: "cy" });
    const dee = fake.seedUser({ username: "dee" });
    const channel = fake.seedChannel("hot-46", [cy.id]);
    await api.invite(channel.id, [cy.id, dee.id]);
    expect(fake.callsTo(`channels/${channel.id}/members`).map((c) => c.body)).toEqual([
      { user_id: cy.id },
      { user_id: dee.id },
    ]);
    expect(fake.members.get(channel.id)?.has(dee.id)).toBe(true);
  });

  it("names people by nickname, else full name, else username; unknown is null", async () => {
    const nick = fake.seedUser({
      username: "jdoe",
      nickname: "Jay",
      first_name: "John",
      last_name: "Doe",
    });
    fake.seedUser({ username: "mrossi", first_name: "Maria", last_name: "Rossi" });
    fake.seedUser({ username: "plain" });
    const name = async (key: string) => (await api.person(key)).name;
    expect(await name(nick.id)).toBe("Jay");
    expect(fake.callsTo(`api/v4/users/${nick.id}`)).toHaveLength(1);
    expect(await name("mrossi")).toBe("Maria Rossi");
    expect(fake.callsTo("api/v4/users/username/mrossi")).toHaveLength(1);
    expect(await name("@plain")).toBe("plain");
    expect(await api.person("nobody")).toEqual({ name: null, email: null });
    expect(await api.person("zzzzzzzzzzzzzzzzzzzzzzzzzz")).toEqual({ name: null, email: null });
  });

  it("gives no email unless MATTERMOST_TRUST_EMAILS is on (the server may not verify them)", async () => {
    const lee = fake.seedUser({ username: "lee", first_name: "Lee", email: "lee@example.com" });
    expect(settings().trustEmails).toBe(false);
    expect(await api.person(lee.id)).toEqual({ name: "Lee", email: null });
    expect(await api.person("lee")).toEqual({ name: "Lee", email: null });
    // The server shows emails here: it is hotdoc that leaves them out.
    expect(fake.showEmailAddress).toBe(true);
    for (const off of ["0", "false"])
      expect(settings({ MATTERMOST_TRUST_EMAILS: off }).trustEmails).toBe(false);
    expect(() => settings({ MATTERMOST_TRUST_EMAILS: "yes" })).toThrow();
  });

  it("with MATTERMOST_TRUST_EMAILS gives the user's email, and none when the server hides emails", async () => {
    for (const on of ["1", "true"])
      expect(settings({ MATTERMOST_TRUST_EMAILS: on }).trustEmails).toBe(true);
    const trusting = new MattermostApi(settings({ MATTERMOST_TRUST_EMAILS: "1" }), deps());
    const kim = fake.seedUser({ username: "kim", first_name: "Kim", email: "kim@example.com" });
    expect(await trusting.person(kim.id)).toEqual({ name: "Kim", email: "kim@example.com" });
    fake.showEmailAddress = false;
    try {
      expect(await trusting.person("kim")).toEqual({ name: "Kim", email: null });
    } finally {
      fake.showEmailAddress = true;
    }
  });

  it("waits the Retry-After of a 429 and succeeds", async () => {
    const channel = fake.seedChannel("hot-47");
    fake.failNext("api/v4/posts", { status: 429, retryAfter: 1 });
    const started = Date.now();
    await api.post(channel.id, { text: "after the wait", kind: "reply" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.posts.at(-1)?.message).toBe("after the wait");
  });

  it("retries a 500", async () => {
    const channel = fake.seedChannel("hot-48");
    fake.failNext(`channels/${channel.id}/patch`, { status: 500 });
    await api.setTopic(channel.id, "SEV2");
    expect(fake.callsTo(`channels/${channel.id}/patch`)).toHaveLength(2);
    expect(channel.header).toBe("SEV2");
  });

  it("does not retry a 403: it throws ChatApiError with the AppError id", async () => {
    const before = fake.callsTo("api/v4/posts").length;
    const error = await failure(
      api.post("qb8ji5yhiidq9r3ruzk1xsmtde", { text: "not a member", kind: "reply" }),
    );
    expect(error).toMatchObject({
      platform: "mattermost",
      status: 403,
      code: "api.context.permissions.app_error",
    });
    expect(fake.callsTo("api/v4/posts").length).toBe(before + 1);
  });

  it("reports a wrong bot token as the server's session_expired error", async () => {
    const wrong = new MattermostApi(settings({ MATTERMOST_BOT_TOKEN: "wrong" }), deps());
    const error = await failure(wrong.person("ana"));
    expect(error).toMatchObject({ status: 401, code: "api.context.session_expired.app_error" });
  });
});

describe("Mattermost /hotdoc slash command", () => {
  const adapter = new MattermostAdapter(undefined, MATTERMOST_COMMAND_TOKEN);

  it("reads the documented request, verified by its Authorization: Token header", () => {
    const command = adapter.handleCommand(
      delivery(
        mattermostSlashCommand({ command: "/hotdoc", text: "declare sev2 Checkout is failing" }),
      ),
    );
    expect(command).toMatchObject({
      platform: "mattermost",
      channel: MATTERMOST_SLASH_COMMAND.channel_id,
      channelName: "town-square",
      userId: MATTERMOST_SLASH_COMMAND.user_id,
      userName: "tester",
      text: "declare sev2 Checkout is failing",
      id: MATTERMOST_SLASH_COMMAND.trigger_id,
    });
    expect(Number.isNaN(Date.parse(command.at))).toBe(false);
  });

  it("is built by the module with the command token", () => {
    const built = mattermost.adapter(
      mattermostSettings({ MATTERMOST_TOKEN: "t", MATTERMOST_COMMAND_TOKEN }),
    );
    expect(built.handleCommand?.(delivery(mattermostSlashCommand())).text).toBe("asd");
  });

  it("refuses a wrong token", () => {
    const hook = mattermostSlashCommand({}, "not-the-command-token");
    expect(refusal(() => adapter.handleCommand(delivery(hook))).code).toBe("signature_invalid");
  });

  it("takes the form's token where an OAuth connection replaced the Authorization header", () => {
    const hook = mattermostSlashCommand();
    hook.headers.authorization = "Bearer oauth-access-token";
    expect(adapter.handleCommand(delivery(hook)).id).toBe(MATTERMOST_SLASH_COMMAND.trigger_id);
    const forged = mattermostSlashCommand({ token: "guess" });
    forged.headers.authorization = "Bearer oauth-access-token";
    expect(refusal(() => adapter.handleCommand(delivery(forged))).code).toBe("signature_invalid");
  });

  it("refuses a request without trigger_id", () => {
    const hook = mattermostSlashCommand({ trigger_id: undefined });
    const error = refusal(() => adapter.handleCommand(delivery(hook)));
    expect(error.code).toBe("invalid_payload");
    expect(error.message).toContain("trigger_id");
  });

  it("is off, saying which variable turns it on, without a command token", () => {
    const off = new MattermostAdapter("outgoing-webhook-token");
    const error = refusal(() => off.handleCommand(delivery(mattermostSlashCommand())));
    expect(error.code).toBe("adapter_disabled");
    expect(error.message).toContain("MATTERMOST_COMMAND_TOKEN");
  });

  it("answers in the channel, marked as hotdoc's own words, with Markdown and @channel made inert", () => {
    expect(adapter.commandAnswer("Declared HOT-42 (SEV2) [x](https://e.example) @channel")).toEqual(
      {
        status: 200,
        body: {
          response_type: "in_channel",
          text: `${ANNOUNCEMENT_MARK} Declared HOT-42 \\(SEV2\\) \\[x\\]\\(https://e.example\\) @\u200bchannel`,
        },
      },
    );
  });
});
