import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliver,
  MATTERMOST_COMMAND_TOKEN,
  matrixMessage,
  matrixTransaction,
  mattermostSlashCommand,
  SECRETS,
  slackCommandSigned,
  slackMessage,
  slackSigned,
} from "../helpers/chatPayloads.ts";
import { FakeMatrix } from "../helpers/fakeMatrix.ts";
import { FakeMattermost } from "../helpers/fakeMattermost.ts";
import {
  type FakeSlack,
  DOCUMENTED as SLACK_DOCUMENTED,
  startFakeSlack,
} from "../helpers/fakeSlack.ts";
import { type FakeTeamsWorkflow, startFakeTeamsWorkflow } from "../helpers/fakeTeamsWorkflow.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/** Waits until `check` passes (the platforms are told after the write, apart from it). */
async function eventually(check: () => void | Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const AS_TOKEN = "as-token-0f3b9c2e51d4";

describe("hot rooms on Matrix, through the application service's API", () => {
  let matrix: FakeMatrix;
  let server: TestServer;
  let txn = 0;
  const say = (room: string, eventId: string, sender: string, body: string) =>
    deliver(
      server.url,
      matrixTransaction(`txn-${++txn}`, [matrixMessage(room, eventId, sender, body, Date.now())]),
    );

  beforeAll(async () => {
    matrix = await FakeMatrix.start({ asToken: AS_TOKEN });
    matrix.seedProfile("@ana:example.org", "Ana Diaz");
    matrix.seedRoom("!ops:example.org", { "@ana:example.org": "join" });
    server = await startTestServer({
      env: {
        MATRIX_HS_TOKEN: SECRETS.MATRIX_HS_TOKEN,
        MATRIX_AS_TOKEN: AS_TOKEN,
        MATRIX_HOMESERVER_URL: matrix.url,
        // The fake homeserver is on loopback: only ALLOW_PRIVATE_WEBHOOKS lets hotdoc reach it.
        WEBHOOK_ALLOWED_TARGETS: "",
        ALLOW_PRIVATE_WEBHOOKS: "1",
        ANNOUNCE_INTERVAL_MS: "0",
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await matrix?.close();
  });

  let key = "";
  let roomId = "";

  it("declares from a message, opens the room named after the key with its topic, invites the declarer and says so", async () => {
    const answer = await say(
      "!ops:example.org",
      "$declare1",
      "@ana:example.org",
      "hotdoc declare sev2 Checkout is failing",
    );
    expect(answer.status).toBe(200);
    const list = await server.api("GET", "/api/incidents");
    expect(list.body.incidents).toHaveLength(1);
    key = list.body.incidents[0].key;
    const doc = await server.api("GET", `/api/incidents/${key}`);
    expect(doc.body).toMatchObject({ summary: "Checkout is failing", severity: 2 });
    // Attributed to the person, by the name their profile gives, not their Matrix id.
    expect(doc.body.timeline[0]).toMatchObject({ author: "Ana Diaz", source: "matrix" });

    await eventually(() => {
      const created = matrix.callsTo("createRoom");
      expect(created).toHaveLength(1);
      expect(created[0].body).toMatchObject({
        room_alias_name: key.toLowerCase(),
        topic: `${key} · SEV2 · new · Checkout is failing`,
      });
      expect(matrix.callsTo("invite").map((c) => c.body)).toContainEqual({
        user_id: "@ana:example.org",
      });
    });
    const room = [...matrix.rooms.values()].find((r) => r.alias === key.toLowerCase());
    expect(room).toBeDefined();
    roomId = room!.roomId;
    const links = await server.api("GET", `/api/incidents/${key}/channels`);
    expect(links.body.channels).toContainEqual(
      expect.objectContaining({ platform: "matrix", channel: roomId }),
    );
    await eventually(() => {
      // The new room gets the document's address; the room it was declared in gets the answer.
      const notices = matrix.callsTo("send/m.room.message").map((c) => ({
        room: c.segments[4],
        body: (c.body as { body: string; msgtype: string }).body,
        msgtype: (c.body as { msgtype: string }).msgtype,
      }));
      expect(notices).toContainEqual({
        room: roomId,
        body: expect.stringContaining(`/${key}`),
        msgtype: "m.notice",
      });
      expect(notices).toContainEqual({
        room: "!ops:example.org",
        body: expect.stringContaining(`Declared ${key} (SEV2): Checkout is failing`),
        msgtype: "m.notice",
      });
    });
  });

  it("declares once when the homeserver sends the same event again in another transaction", async () => {
    const again = await say(
      "!ops:example.org",
      "$declare1",
      "@ana:example.org",
      "hotdoc declare sev2 Checkout is failing",
    );
    expect(again.status).toBe(200);
    const list = await server.api("GET", "/api/incidents");
    expect(list.body.incidents).toHaveLength(1);
    expect(matrix.callsTo("createRoom")).toHaveLength(1);
  });

  it("keeps the topic true as severity, roles and status change, from chat and from the API", async () => {
    const topics = () =>
      matrix
        .callsTo("state/m.room.topic")
        .filter((c) => c.segments[4] === roomId)
        .map((c) => (c.body as { topic: string }).topic);
    expect((await say(roomId, "$sev", "@ana:example.org", "sev 1")).status).toBe(200);
    await eventually(() => expect(topics().at(-1)).toMatch(/· SEV1 ·/));
    expect((await say(roomId, "$im", "@ana:example.org", "im Bob")).status).toBe(200);
    await eventually(() => expect(topics().at(-1)).toMatch(/ · IM: Bob$/));
    // Naming the IM leaves the status as it was; moving to fixing is its own step.
    expect(topics().at(-1)).toMatch(/· new ·/);
    expect((await say(roomId, "$fixing", "@ana:example.org", "status fixing")).status).toBe(200);
    await eventually(() => expect(topics().at(-1)).toMatch(/· fixing ·/));
    const patched = await server.api("PATCH", `/api/incidents/${key}`, { status: "resolved" });
    expect(patched.status).toBe(200);
    await eventually(() => expect(topics().at(-1)).toMatch(/· resolved ·/));
    // One request per change that moved the topic, none for a change that did not.
    const count = topics().length;
    await server.api("PATCH", `/api/incidents/${key}`, { description: "more detail" });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(topics()).toHaveLength(count);
  });

  it("looks a person's name up once, and names them in every message after", async () => {
    const profileCalls = () => matrix.callsTo("profile/@ana:example.org").length;
    const before = profileCalls();
    expect(before).toBe(1);
    await say(roomId, "$m2", "@ana:example.org", "checking the payments dashboards");
    await say(roomId, "$m3", "@ana:example.org", "error rate back to normal");
    expect(profileCalls()).toBe(before);
    const doc = await server.api("GET", `/api/incidents/${key}`);
    const authors = doc.body.timeline
      .filter((e: { source: string }) => e.source === "matrix")
      .map((e: { author: string }) => e.author);
    expect(new Set(authors)).toEqual(new Set(["Ana Diaz"]));
  });
});

describe("hot rooms on Mattermost, through its REST API and the /hotdoc slash command", () => {
  let mattermost: FakeMattermost;
  let server: TestServer;
  const BOT_TOKEN = "mm-bot-token-9s8d7f6g5h";

  beforeAll(async () => {
    mattermost = await FakeMattermost.start({ botToken: BOT_TOKEN });
    server = await startTestServer({
      env: {
        MATTERMOST_TOKEN: SECRETS.MATTERMOST_TOKEN,
        MATTERMOST_COMMAND_TOKEN,
        MATTERMOST_URL: mattermost.url,
        MATTERMOST_BOT_TOKEN: BOT_TOKEN,
        MATTERMOST_TEAM_ID: mattermost.teamId,
        ALLOW_PRIVATE_WEBHOOKS: "1",
        ANNOUNCE_INTERVAL_MS: "0",
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await mattermost?.close();
  });

  it("declares from /hotdoc declare, under the person's name, and opens the channel with its header", async () => {
    const user = mattermost.seedUser({
      username: "priya",
      first_name: "Priya",
      last_name: "Raman",
    });
    const answer = await deliver(
      server.url,
      mattermostSlashCommand({
        text: "declare sev1 Payments are timing out",
        user_id: user.id,
        user_name: "priya",
        trigger_id: "trigger-declare-1",
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.response_type).toBe("in_channel");
    // Mattermost renders the answer as Markdown; hotdoc escaped its punctuation.
    const shown = String(answer.body.text).replace(/\\(.)/g, "$1");
    expect(shown).toMatch(/^\[hotdoc\] Declared HOT-\d+ \(SEV1\): Payments are timing out/);
    const key = /Declared (HOT-\d+)/.exec(shown)![1];
    const doc = await server.api("GET", `/api/incidents/${key}`);
    expect(doc.body.timeline[0]).toMatchObject({ author: "Priya Raman", source: "mattermost" });

    await eventually(() => {
      const channel = [...mattermost.channels.values()].find((c) => c.name === key.toLowerCase());
      expect(channel).toMatchObject({
        type: "O",
        team_id: mattermost.teamId,
        header: `${key} · SEV1 · new · Payments are timing out`,
      });
      expect(mattermost.members.get(channel!.id)).toContain(user.id);
    });

    // The same command delivered again declares nothing more.
    const again = await deliver(
      server.url,
      mattermostSlashCommand({
        text: "declare sev1 Payments are timing out",
        user_id: user.id,
        trigger_id: "trigger-declare-1",
      }),
    );
    expect(String(again.body.text).replace(/\\(.)/g, "$1")).toContain(`Declared already as ${key}`);
    expect((await server.api("GET", "/api/incidents")).body.incidents).toHaveLength(1);
  });

  it("opens a channel for an incident declared on the page or API too, and keeps its header true", async () => {
    const created = await server.api("POST", "/api/incidents", {
      summary: "Search is slow",
      severity: 3,
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    let channelId = "";
    await eventually(() => {
      const channel = [...mattermost.channels.values()].find((c) => c.name === key.toLowerCase());
      expect(channel).toBeDefined();
      channelId = channel!.id;
    });
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 2 });
    await eventually(() =>
      expect(mattermost.channels.get(channelId)?.header).toBe(
        `${key} · SEV2 · new · Search is slow`,
      ),
    );
  });

  it("retries a post the server refused with 429, after the Retry-After it asked for", async () => {
    const created = await server.api("POST", "/api/incidents", {
      summary: "Login errors",
      severity: 2,
    });
    const key = created.body.key as string;
    let channelId = "";
    await eventually(() => {
      const channel = [...mattermost.channels.values()].find((c) => c.name === key.toLowerCase());
      expect(channel).toBeDefined();
      channelId = channel!.id;
    });
    const postsBefore = mattermost.callsTo("posts").length;
    mattermost.failNext("posts", { status: 429, retryAfter: 1 });
    const started = Date.now();
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
    await eventually(() => {
      const announced = mattermost.posts.filter(
        (p) => p.channel_id === channelId && p.message.includes("Severity"),
      );
      expect(announced.length).toBeGreaterThanOrEqual(1);
    }, 8000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(mattermost.callsTo("posts").length).toBeGreaterThanOrEqual(postsBefore + 2);
  });
});

describe("hot rooms on Slack, through the Web API and the /hotdoc slash command", () => {
  let slack: FakeSlack;
  let server: TestServer;
  const person = (id: string, displayName: string, realName: string) => ({
    ...structuredClone(SLACK_DOCUMENTED.user),
    id,
    name: displayName.toLowerCase().replace(/\s+/g, "."),
    real_name: realName,
    profile: {
      ...structuredClone(SLACK_DOCUMENTED.user.profile),
      display_name: displayName,
      real_name: realName,
    },
  });

  beforeAll(async () => {
    slack = await startFakeSlack({
      users: [person("U2147483697", "Steve", "Steve Jobs"), person("U0BOB", "Bob", "Bob Lee")],
      channels: [{ id: "C2147483705", name: "test", members: ["U2147483697"] }],
    });
    server = await startTestServer({
      env: {
        SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
        SLACK_BOT_TOKEN: slack.token,
        SLACK_API_URL: slack.url,
        ALLOW_PRIVATE_WEBHOOKS: "1",
        ANNOUNCE_INTERVAL_MS: "0",
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await slack?.close();
  });

  let key = "";
  let channel = "";

  it("declares from /hotdoc declare, opens #hot-N with its topic and invites the declarer", async () => {
    const answer = await deliver(
      server.url,
      slackCommandSigned(undefined, {
        fields: { command: "/hotdoc", text: "declare sev2 Checkout is failing" },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ response_type: "in_channel" });
    key = /Declared (HOT-\d+)/.exec(answer.body.text)![1];
    const doc = await server.api("GET", `/api/incidents/${key}`);
    // The display name users.info gives, not the user id or the handle.
    expect(doc.body.timeline[0]).toMatchObject({ author: "Steve", source: "slack" });
    await eventually(() => {
      const created = slack.callsOf("conversations.create");
      expect(created).toHaveLength(1);
      expect(created[0].args).toMatchObject({ name: key.toLowerCase() });
      channel = [...slack.channels.values()].find((c) => c.name === key.toLowerCase())!.id;
      expect(slack.channels.get(channel)?.topic).toBe(`${key} · SEV2 · new · Checkout is failing`);
      expect(slack.channels.get(channel)?.members).toContain("U2147483697");
    });
  });

  it("names the author and the person mentioned by id, gives them the role and invites them", async () => {
    const said = await deliver(
      server.url,
      slackSigned(slackMessage(channel, "U2147483697", "tl <@U0BOB>", "1700000000.000200")),
    );
    expect(said.status).toBe(200);
    const doc = await server.api("GET", `/api/incidents/${key}`);
    expect(doc.body.timeline.at(-2)).toMatchObject({ author: "Steve", text: "tl @Bob" });
    expect(doc.body.roles).toContainEqual(
      expect.objectContaining({ role: "tech_lead", holder: "Bob" }),
    );
    await eventually(() => {
      expect(slack.channels.get(channel)?.members).toContain("U0BOB");
      expect(slack.channels.get(channel)?.topic).toBe(
        `${key} · SEV2 · new · Checkout is failing · TL: Bob`,
      );
    });
    // users.info once per person, however many messages.
    await deliver(
      server.url,
      slackSigned(slackMessage(channel, "U2147483697", "looking at the logs", "1700000000.000300")),
    );
    const asked = slack.callsOf("users.info").map((c) => c.args.user);
    expect(asked.filter((u) => u === "U2147483697")).toHaveLength(1);
    expect(asked.filter((u) => u === "U0BOB")).toHaveLength(1);
  });

  it("announces through chat.postMessage, with blocks and a plain-text fallback", async () => {
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
    await eventually(() => {
      const posts = slack
        .callsOf("chat.postMessage")
        .filter((c) => c.args.channel === channel && /severity/i.test(String(c.args.text)));
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(String(posts[0].args.text)).toMatch(/^\[hotdoc\] /);
      // The Web API client sends a form, where blocks travel as a JSON string.
      const raw = posts[0].args.blocks;
      const blocks = (typeof raw === "string" ? JSON.parse(raw) : raw) as { type: string }[];
      expect(blocks[0].type).toBe("section");
    });
  });
  it("keeps a team channel linked by hand as its people left it: only the incident's own rooms get topics", async () => {
    const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
      platform: "slack",
      channel: "C2147483705",
    });
    expect(linked.status).toBe(201);
    slack.channels.get("C2147483705")!.topic = "Payments team. Oncall: see pinned";
    await server.api("PATCH", `/api/incidents/${key}`, { summary: "Checkout fails in EU" });
    await eventually(() =>
      expect(slack.channels.get(channel)?.topic).toContain("Checkout fails in EU"),
    );
    expect(slack.channels.get("C2147483705")?.topic).toBe("Payments team. Oncall: see pinned");
  });

  it("answers /hotdoc alone with help, and links nothing from a slash command (it may come from any DM)", async () => {
    const help = await deliver(server.url, slackCommandSigned(undefined, { fields: { text: "" } }));
    expect(help.status).toBe(200);
    expect(help.body.text).toContain("hotdoc commands");
    const link = await deliver(
      server.url,
      slackCommandSigned(undefined, {
        fields: { channel_id: "D0SOMEDM1", user_id: "U0RANDOM", text: `link ${key}` },
      }),
    );
    expect(link.status).toBe(200);
    expect(link.body.text).toContain("links nothing");
    const sev = await deliver(
      server.url,
      slackCommandSigned(undefined, {
        fields: { channel_id: "D0SOMEDM1", user_id: "U0RANDOM", text: "sev 3" },
      }),
    );
    expect(sev.body.text).toContain("not linked to an incident");
    expect((await server.api("GET", `/api/incidents/${key}`)).body.severity).toBe(1);
    const links = (await server.api("GET", `/api/incidents/${key}/channels`)).body.channels;
    expect(links.map((l: { channel: string }) => l.channel)).not.toContain("D0SOMEDM1");
  });

  it("lets one person declare from chat three times in ten minutes, then sends them to the page", async () => {
    const declare = (n: number) =>
      deliver(
        server.url,
        slackCommandSigned(undefined, {
          fields: {
            user_id: "U0BOB",
            text: `declare sev3 Flaky thing ${n}`,
            trigger_id: `trigger-flood-${n}`,
          },
        }),
      );
    for (let n = 1; n <= 3; n++) expect((await declare(n)).body.text).toContain("Declared HOT-");
    const fourth = await declare(4);
    expect(fourth.body.text).toContain("declare the next one on the incident page");
    const summaries = (await server.api("GET", "/api/incidents")).body.incidents.map(
      (i: { summary: string }) => i.summary,
    );
    expect(summaries).not.toContain("Flaky thing 4");
  });
});

describe("webhook rooms: Teams gets an Adaptive Card, retried after the Retry-After it asks for", () => {
  let teams: FakeTeamsWorkflow;
  let server: TestServer;

  beforeAll(async () => {
    teams = await startFakeTeamsWorkflow();
    server = await startTestServer({ env: { ANNOUNCE_INTERVAL_MS: "0" } });
  });
  afterAll(async () => {
    await server?.close();
    await teams?.close();
  });

  it("announces a severity change as a card, after a 429 with Retry-After: 1", async () => {
    const created = await server.api("POST", "/api/incidents", {
      summary: "VPN down",
      severity: 2,
    });
    const key = created.body.key as string;
    const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
      platform: "teams",
      channel: "19:incident-room@thread.tacv2",
      webhookUrl: teams.url,
    });
    expect(linked.status).toBe(201);
    teams.failNext(429, 1);
    const started = Date.now();
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
    await eventually(() => expect(teams.received).toHaveLength(1), 8000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(teams.requests.map((r) => r.status)).toEqual([429, 202]);
    const card = teams.received[0] as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
    };
    expect(card.type).toBe("message");
    expect(card.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0].content.type).toBe("AdaptiveCard");
    expect(card.attachments[0].content.body.map((b) => b.text).join("\n")).toContain(key);
  });
});
