import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliver,
  matrixMessage,
  matrixTransaction,
  mattermostForm,
  SECRETS,
  slackMessage,
  slackSigned,
} from "../helpers/chatPayloads.ts";
import { FakeMatrix } from "../helpers/fakeMatrix.ts";
import { FakeMattermost } from "../helpers/fakeMattermost.ts";
import {
  type FakeSlack,
  DOCUMENTED as SLACK_DOCUMENTED,
  type SlackUser,
  startFakeSlack,
} from "../helpers/fakeSlack.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

const AS_TOKEN = "as-token-5d1e07a9c3b2";
const SLACK_ROOM = "C0HOTLINK1";
const MATRIX_ROOM = "!war:example.org";

/**
 * Slack's documented users.info user (fakeSlack.ts DOCUMENTED.user) with its id, names
 * and email changed, and what Slack says of the address: confirmed unless told, and
 * `is_stranger` for someone of another organisation in a Slack Connect channel.
 */
function slackUser(
  id: string,
  handle: string,
  email: string,
  flags: { is_email_confirmed?: boolean; is_stranger?: boolean } = {},
): SlackUser {
  const user = structuredClone(SLACK_DOCUMENTED.user);
  return {
    ...user,
    ...flags,
    id,
    name: handle,
    real_name: "",
    profile: {
      ...user.profile,
      display_name: handle,
      display_name_normalized: handle,
      real_name: "",
      real_name_normalized: "",
      email,
    },
  };
}

/** The timeline as the REST API returns it. */
interface Entry {
  author: string;
  text: string;
  kind: string;
  source: string;
}

describe("chat identities linked to the people who signed in", () => {
  let slack: FakeSlack;
  let matrix: FakeMatrix;
  let server: TestServer;
  let key = "";
  let ts = 1_700_000_000;
  let txn = 0;

  const sayOnSlack = (user: string, text: string) =>
    deliver(server.url, slackSigned(slackMessage(SLACK_ROOM, user, text, `${++ts}.000100`)));
  const sayOnMatrix = (sender: string, body: string) =>
    deliver(
      server.url,
      matrixTransaction(`txn-${++txn}`, [
        matrixMessage(MATRIX_ROOM, `$event${txn}`, sender, body, Date.now()),
      ]),
    );
  const timeline = async (): Promise<Entry[]> =>
    (await server.api("GET", `/api/incidents/${key}`)).body.timeline;
  const entry = async (text: string) => (await timeline()).find((e) => e.text === text);

  beforeAll(async () => {
    slack = await startFakeSlack({
      users: [
        // Slack says Bob's email with capitals; the directory has it in lower case.
        slackUser("U0BOB", "bob", "Bob@Example.COM"),
        slackUser("U0EVE", "eve", "eve@example.com"),
        slackUser("U0STRANGER", "stranger", "stranger@elsewhere.example"),
        // Slack has an old address for Dee; CHAT_IDENTITY_MAP says who she is.
        slackUser("U0DEE", "dee", "dee.old@example.net"),
        // Two who put Bob's address in their profile: Slack never confirmed it for one,
        // and the other belongs to another organisation (a Slack Connect channel).
        slackUser("U0MALLORY", "mallory", "bob@example.com", { is_email_confirmed: false }),
        slackUser("U0OUTSIDER", "outsider", "bob@example.com", { is_stranger: true }),
      ],
      channels: [{ id: SLACK_ROOM, name: "payments-war-room" }],
    });
    matrix = await FakeMatrix.start({ asToken: AS_TOKEN });
    matrix.seedProfile("@carol:example.org", "carol");
    matrix.seedProfile("@dan:example.org", "Dan from Matrix");
    matrix.seedRoom(MATRIX_ROOM, { "@carol:example.org": "join", "@dan:example.org": "join" });
    server = await startTestServer({
      env: {
        SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
        SLACK_BOT_TOKEN: slack.token,
        SLACK_API_URL: slack.url,
        MATRIX_HS_TOKEN: SECRETS.MATRIX_HS_TOKEN,
        MATRIX_AS_TOKEN: AS_TOKEN,
        MATRIX_HOMESERVER_URL: matrix.url,
        // The fakes listen on loopback: only ALLOW_PRIVATE_WEBHOOKS lets hotdoc reach them.
        WEBHOOK_ALLOWED_TARGETS: "",
        ALLOW_PRIVATE_WEBHOOKS: "1",
        CHAT_IDENTITY_MAP:
          "matrix:@carol:example.org=carol@example.com,slack:U0DEE=Dee@Example.com",
      },
    });
    const people = server.hotdoc.stores.people;
    const updatedAt = Date.now();
    await people.savePerson({
      subject: "oidc:bob",
      name: "Bob Baker",
      email: "bob@example.com",
      updatedAt,
    });
    await people.savePerson({
      subject: "oidc:carol",
      name: "Carol Chen",
      email: "carol@example.com",
      updatedAt,
    });
    await people.savePerson({
      subject: "oidc:dee",
      name: "Dee Diaz",
      email: "dee@example.com",
      updatedAt,
    });

    const created = await server.api("POST", "/api/incidents", {
      summary: "Payments declined",
      severity: 2,
    });
    key = created.body.key;
    for (const [platform, channel] of [
      ["slack", SLACK_ROOM],
      ["matrix", MATRIX_ROOM],
    ]) {
      const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
        platform,
        channel,
      });
      expect(linked.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
    await matrix?.close();
    await slack?.close();
  });

  it("writes a Slack message under the name its author signed in with, matched by Slack's email", async () => {
    expect((await sayOnSlack("U0BOB", "card processor returns 503")).status).toBe(200);
    expect(await entry("card processor returns 503")).toMatchObject({
      author: "Bob Baker",
      source: "slack",
    });
  });

  it("keeps the platform's name for someone no signed-in person matches", async () => {
    await sayOnSlack("U0STRANGER", "is it the new firewall rule?");
    expect(await entry("is it the new firewall rule?")).toMatchObject({ author: "stranger" });
    await sayOnMatrix("@dan:example.org", "rolling back the firewall change");
    expect(await entry("rolling back the firewall change")).toMatchObject({
      author: "Dan from Matrix",
      source: "matrix",
    });
  });

  it("keeps the Slack name of someone whose address Slack has not confirmed", async () => {
    await sayOnSlack("U0MALLORY", "I am Bob, trust me");
    expect(await entry("I am Bob, trust me")).toMatchObject({ author: "mallory" });
  });

  it("keeps the Slack name of a stranger from another organisation, whatever their address", async () => {
    await sayOnSlack("U0OUTSIDER", "Bob here, from the vendor side");
    expect(await entry("Bob here, from the vendor side")).toMatchObject({ author: "outsider" });
  });

  it("names a Matrix user through CHAT_IDENTITY_MAP (Matrix gives no email)", async () => {
    await sayOnMatrix("@carol:example.org", "error rate back under 1%");
    expect(await entry("error rate back under 1%")).toMatchObject({
      author: "Carol Chen",
      source: "matrix",
    });
  });

  it("lets CHAT_IDENTITY_MAP win over the email Slack gives", async () => {
    await sayOnSlack("U0DEE", "I can take over as incident manager");
    expect(await entry("I can take over as incident manager")).toMatchObject({
      author: "Dee Diaz",
    });
  });

  it("gives a role by mention to the signed-in name, and hands one over the same way", async () => {
    await sayOnSlack("U0STRANGER", "tl <@U0BOB>");
    expect(await entry("tl @Bob Baker")).toMatchObject({ author: "stranger" });
    await sayOnSlack("U0STRANGER", "im <@U0BOB>");
    await sayOnSlack("U0BOB", "im <@U0DEE>");
    const { roles } = (await server.api("GET", `/api/incidents/${key}`)).body;
    expect(roles).toContainEqual(
      expect.objectContaining({ role: "tech_lead", holder: "Bob Baker" }),
    );
    expect(roles).toContainEqual(
      expect.objectContaining({ role: "incident_manager", holder: "Dee Diaz" }),
    );
    const handOver = (await timeline()).filter((e) => e.kind === "role").at(-1);
    expect(handOver).toMatchObject({
      author: "Bob Baker",
      text: "Dee Diaz took over as Incident manager from Bob Baker",
    });
  });

  it("names them so in the postmortem's roles and hand-overs", async () => {
    const response = await fetch(`${server.url}/api/incidents/${key}/export?format=markdown`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(response.status).toBe(200);
    const markdown = await response.text();
    const section = markdown.slice(markdown.indexOf("## Roles")).split("\n## ")[0];
    expect(section).toMatch(/\*\*Incident manager:\*\* Dee Diaz \(since /);
    expect(section).toMatch(/\*\*Tech lead:\*\* Bob Baker \(since /);
    expect(section).toContain("Hand-overs");
    expect(section).toContain("Bob Baker is Tech lead");
    expect(section).toContain("Dee Diaz took over as Incident manager from Bob Baker");
    // No chat id or handle stands in for anyone who signed in.
    for (const standIn of ["U0BOB", "U0DEE", "@carol:example.org", "@bob", "@dee"])
      expect(markdown).not.toContain(standIn);
  });

  it("uses the signed-in name from the next message on once someone signs in mid-incident", async () => {
    await sayOnSlack("U0EVE", "joining from the payments team");
    expect(await entry("joining from the payments team")).toMatchObject({ author: "eve" });
    await server.hotdoc.stores.people.savePerson({
      subject: "oidc:eve",
      name: "Eve Evans",
      email: "eve@example.com",
      updatedAt: Date.now(),
    });
    await sayOnSlack("U0EVE", "I have the processor's status page open");
    expect(await entry("I have the processor's status page open")).toMatchObject({
      author: "Eve Evans",
    });
    // Slack was asked once about Eve: what it said stays cached, the directory is asked anew.
    expect(slack.callsOf("users.info").filter((c) => c.args.user === "U0EVE")).toHaveLength(1);
  });
});

describe("Mattermost emails name people only with MATTERMOST_TRUST_EMAILS", () => {
  const BOT_TOKEN = "b8ubrjxfypn7ikbsb3c1ghrfwa";
  const ROOM = "hawos4dqtby53pd64o4a4cmeoo";
  let mattermost: FakeMattermost;
  let post = 0;

  /** A server with Mattermost's webhook and API, Bob signed in, and ROOM linked to an incident. */
  async function serverWith(env: Record<string, string>) {
    const server = await startTestServer({
      env: {
        MATTERMOST_TOKEN: SECRETS.MATTERMOST_TOKEN,
        MATTERMOST_URL: mattermost.url,
        MATTERMOST_BOT_TOKEN: BOT_TOKEN,
        // The fake listens on loopback: only ALLOW_PRIVATE_WEBHOOKS lets hotdoc reach it.
        WEBHOOK_ALLOWED_TARGETS: "",
        ALLOW_PRIVATE_WEBHOOKS: "1",
        ...env,
      },
    });
    await server.hotdoc.stores.people.savePerson({
      subject: "oidc:bob",
      name: "Bob Baker",
      email: "bob@example.com",
      updatedAt: Date.now(),
    });
    const { key } = (
      await server.api("POST", "/api/incidents", { summary: "Search is slow", severity: 3 })
    ).body;
    const linked = await server.api("POST", `/api/incidents/${key}/channels`, {
      platform: "mattermost",
      channel: ROOM,
    });
    expect(linked.status).toBe(201);
    /** The author the timeline gives a post by `userId`. */
    const authorOf = async (userId: string, userName: string, text: string) => {
      const answer = await deliver(
        server.url,
        mattermostForm({
          channel_id: ROOM,
          channel_name: "town-square",
          post_id: `post${++post}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
          user_id: userId,
          user_name: userName,
          text,
        }),
      );
      expect(answer.status).toBe(200);
      const { timeline } = (await server.api("GET", `/api/incidents/${key}`)).body;
      return (timeline as Entry[]).find((e) => e.text === text)?.author;
    };
    return { server, authorOf };
  }

  beforeAll(async () => {
    mattermost = await FakeMattermost.start({ botToken: BOT_TOKEN });
  });
  afterAll(async () => {
    await mattermost?.close();
  });

  it("by default keeps the Mattermost name, even for an address a signed-in person has", async () => {
    // The server shows emails (fakeMattermost's default), but nobody verified this one.
    const mallory = mattermost.seedUser({
      username: "mallory",
      nickname: "Mallory",
      email: "bob@example.com",
    });
    const { server, authorOf } = await serverWith({});
    try {
      expect(await authorOf(mallory.id, "mallory", "Bob speaking, roll it back")).toBe("Mallory");
    } finally {
      await server.close();
    }
  });

  it("with MATTERMOST_TRUST_EMAILS=1 writes the signed-in name for the address", async () => {
    const bob = mattermost.seedUser({
      username: "bob",
      nickname: "bobby",
      email: "bob@example.com",
    });
    const { server, authorOf } = await serverWith({ MATTERMOST_TRUST_EMAILS: "1" });
    try {
      expect(await authorOf(bob.id, "bob", "rolled back, watching latency")).toBe("Bob Baker");
    } finally {
      await server.close();
    }
  });
});
