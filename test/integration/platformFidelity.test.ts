import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatEntryId } from "#shared/chat/chatEvent.ts";
import {
  copyOf,
  DOCUMENTED,
  DOCUMENTED_MORE,
  deliver,
  genericSigned,
  type Hook,
  matrixTransaction,
  SECRETS,
  teamsSigned,
} from "../helpers/chatPayloads.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

/**
 * Mattermost, Matrix and Teams payloads as the platforms really send them (each
 * fixture's source is cited in chatPayloads.ts), delivered to a real server.
 */

/** The documented Mattermost token is the one configured, so the documented form is correctly signed. */
const ENV = { ...SECRETS, MATTERMOST_TOKEN: DOCUMENTED.mattermostForm.token };

interface Entry {
  id: string;
  text: string;
  at: string;
  author: string;
  deleted?: boolean;
}

let server: TestServer;
let key: string;
const timeline = async () =>
  (await server.api("GET", `/api/incidents/${key}`)).body.timeline as Entry[];

beforeAll(async () => {
  server = await startTestServer({ env: ENV });
  key = (await server.api("POST", "/api/incidents", { summary: "Checkout errors", severity: 2 }))
    .body.key;
});
afterAll(() => server.close());

async function exportMarkdown(): Promise<string> {
  const exported = await fetch(`${server.url}/api/incidents/${key}/export?format=markdown`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  expect(exported.status).toBe(200);
  return exported.text();
}

async function linkRoom(platform: string, channel: string): Promise<void> {
  const linked = await server.api("POST", `/api/incidents/${key}/channels`, { platform, channel });
  expect(linked.status).toBe(201);
}

describe("Mattermost outgoing webhooks", () => {
  const room = DOCUMENTED.mattermostForm.channel_id;
  const form = (fields: Record<string, string>): Hook => ({
    method: "POST",
    path: "/hooks/mattermost",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  const json = (payload: Record<string, unknown>): Hook => ({
    method: "POST",
    path: "/hooks/mattermost",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });

  beforeAll(() => linkRoom("mattermost", room));

  it("a form-encoded post (timestamp in seconds) lands at the instant it was said, not in 1970", async () => {
    const said = Math.floor(Date.now() / 1000) - 30;
    const post = copyOf(DOCUMENTED.mattermostForm);
    post.post_id = "form-seconds";
    post.text = "Form-encoded message";
    post.timestamp = String(said);
    expect((await deliver(server.url, form(post))).status).toBe(200);
    const entry = (await timeline()).find((e) => e.text === "Form-encoded message");
    expect(entry?.at).toBe(new Date(said * 1000).toISOString());
  });

  it("the documented form example keeps its 2015 time", async () => {
    const post = copyOf(DOCUMENTED.mattermostForm);
    expect((await deliver(server.url, form(post))).status).toBe(200);
    const entry = (await timeline()).find((e) => e.text === post.text);
    expect(entry?.at).toBe(new Date(1445532266 * 1000).toISOString());
  });

  it("a JSON post carries the same time in milliseconds", async () => {
    const said = Date.now() - 20_000;
    // `json.Marshal(payload)` of OutgoingWebhookPayload in Mattermost's app/webhook.go
    // (TriggerWebhook): the same fields as the form, `timestamp` being post.CreateAt (ms).
    const payload: Record<string, unknown> = {
      ...copyOf(DOCUMENTED.mattermostForm),
      post_id: "json-millis",
      text: "JSON message",
      timestamp: said,
    };
    expect((await deliver(server.url, json(payload))).status).toBe(200);
    const entry = (await timeline()).find((e) => e.text === "JSON message");
    expect(entry?.at).toBe(new Date(said).toISOString());
  });

  it("a file-only post is mirrored as a file share; a post with nothing readable is ignored with 200", async () => {
    const said = String(Math.floor(Date.now() / 1000) - 10);
    // Mattermost sends `text` (post.Message) empty for a post with only attachments,
    // and `file_ids` as the post's ids joined with "," (app/webhook.go).
    const one = copyOf(DOCUMENTED.mattermostForm);
    Object.assign(one, { post_id: "file-only-1", text: "", timestamp: said });
    const two = copyOf(DOCUMENTED.mattermostForm);
    Object.assign(two, {
      post_id: "file-only-2",
      text: "",
      timestamp: said,
      file_ids: `${one.file_ids},rnina9994bde8mua79zqcg5hmo`,
    });
    const empty = copyOf(DOCUMENTED.mattermostForm);
    Object.assign(empty, { post_id: "nothing", text: "", timestamp: said, file_ids: "" });
    for (const post of [one, two, empty]) {
      const answer = await deliver(server.url, form(post));
      expect(answer).toEqual({ status: 200, body: {} });
    }
    const entries = await timeline();
    const byPost = (id: string) => entries.find((e) => e.id.endsWith(`:${id}`));
    expect(byPost("file-only-1")).toMatchObject({ text: "shared a file", author: "somename" });
    expect(byPost("file-only-2")).toMatchObject({ text: "shared 2 files" });
    expect(byPost("nothing")).toBeUndefined();
  });
});

describe("Matrix application service", () => {
  const room = DOCUMENTED.matrixMessage.room_id;
  let txn = 0;
  const entryOf = async (messageId: string) => {
    const id = chatEntryId({ platform: "matrix", channel: room, messageId });
    return (await timeline()).find((e) => e.id === id);
  };
  const send = async (...events: unknown[]) =>
    expect((await deliver(server.url, matrixTransaction(`fidelity-${++txn}`, events))).status).toBe(
      200,
    );
  /** The spec's example message, as the event an edit or redaction is about. */
  const original = (eventId: string, body: string) => {
    const message = copyOf(DOCUMENTED.matrixMessage);
    message.event_id = eventId;
    message.content.body = body;
    return message;
  };

  beforeAll(() => linkRoom("matrix", room));

  it("an edit from another sender is ignored; the author's own edit applies", async () => {
    await send(original("$some_event_id", "Hello! My name is foo"));
    const foreign = copyOf(DOCUMENTED_MORE.matrixEdit);
    foreign.event_id = "$foreign-edit:example.org";
    foreign.sender = "@mallory:example.org";
    foreign.content["m.new_content"].body = "Mallory was here";
    await send(foreign);
    expect(await entryOf("$some_event_id")).toMatchObject({ text: "Hello! My name is foo" });
    await send(copyOf(DOCUMENTED_MORE.matrixEdit));
    expect(await entryOf("$some_event_id")).toMatchObject({ text: "Hello! My name is bar" });
  });

  it("a pill mention reads as its display name, a bare user id as its localpart, in role commands too", async () => {
    const mention = copyOf(DOCUMENTED_MORE.matrixMention);
    mention.event_id = "$mention-plain:example.org";
    await send(mention);
    expect(await entryOf("$mention-plain:example.org")).toMatchObject({ text: "Hello Alice!" });

    // The same pill, the display name made of two words, as a role command.
    const comms = copyOf(DOCUMENTED_MORE.matrixMention);
    comms.event_id = "$mention-comms:example.org";
    comms.content.body = "comms Alice Liddell";
    comms.content.formatted_body =
      "comms <a href='https://matrix.to/#/@alice:example.org'>Alice Liddell</a>";
    // A user id typed without a pill.
    const backup = copyOf(DOCUMENTED.matrixMessage);
    backup.event_id = "$mention-backup:example.org";
    backup.content = { msgtype: "m.text", body: "backup @bob:example.org" } as never;
    await send(comms, backup);
    expect(await entryOf("$mention-backup:example.org")).toMatchObject({ text: "backup @bob" });
    const roles = (await server.api("GET", `/api/incidents/${key}`)).body.roles as {
      holder: string;
    }[];
    expect(roles.map((r) => r.holder)).toEqual(expect.arrayContaining(["Alice Liddell", "bob"]));
  });

  it("a reply shows what the replier wrote, without the fallback quote of the message it answers", async () => {
    // The fallback format of matrix-org/matrix-spec content/client-server-api/modules/
    // rich_replies.md ("Fallbacks for rich replies", "Fallback for m.text…"): the quoted
    // lines prefixed "> ", a blank line, then the reply; the HTML quote in <mx-reply>.
    const reply = copyOf(DOCUMENTED.matrixMessage);
    reply.event_id = "$reply:example.org";
    reply.content = {
      msgtype: "m.text",
      body: "> <@alice:example.org> This is the first line\n> This is the second line\n\nThis is the reply",
      format: "org.matrix.custom.html",
      formatted_body:
        '<mx-reply><blockquote><a href="https://matrix.to/#/!somewhere:example.org/$event:example.org">In reply to</a> <a href="https://matrix.to/#/@alice:example.org">@alice:example.org</a><br />This is the first line<br />This is the second line</blockquote></mx-reply>This is the reply',
      "m.relates_to": { "m.in_reply_to": { event_id: "$event:example.org" } },
    } as never;
    // A quote written by hand, in a message that answers nothing, is what was said.
    const quote = copyOf(DOCUMENTED.matrixMessage);
    quote.event_id = "$quote:example.org";
    quote.content = {
      msgtype: "m.text",
      body: "> the error says\n\nthat is the old pool",
    } as never;
    await send(reply, quote);
    expect(await entryOf("$reply:example.org")).toMatchObject({ text: "This is the reply" });
    expect(await entryOf("$quote:example.org")).toMatchObject({
      text: "> the error says\n\nthat is the old pool",
    });
  });

  it("a redaction removes the message's text from the timeline and the export", async () => {
    const secret = "db password is hunter2";
    await send(original("$fukweghifu23:localhost", secret));
    expect((await timeline()).map((e) => e.text)).toContain(secret);
    expect(await exportMarkdown()).toContain("hunter2");
    await send(copyOf(DOCUMENTED_MORE.matrixRedaction));
    expect(await entryOf("$fukweghifu23:localhost")).toMatchObject({ deleted: true, text: "" });
    expect(await exportMarkdown()).not.toContain("hunter2");
  });
});

describe("Teams outgoing webhooks", () => {
  const conversation = (DOCUMENTED_MORE.teamsMention.conversation as { id: string }).id;
  const room = conversation.split(";")[0];
  const activity = (id: string, text: string) => ({
    ...copyOf(DOCUMENTED_MORE.teamsMention),
    id,
    text,
    // The activity's time bounds replays, so it is now rather than the example's 2017.
    timestamp: new Date().toISOString(),
  });

  beforeAll(() => linkRoom("teams", room));

  it("a mention reads as @Name and other markup goes; `im <at>Name</at>` names the person", async () => {
    const documented = copyOf(DOCUMENTED_MORE.teamsMention).text as string;
    const plain = await deliver(server.url, teamsSigned(activity("1481567603901", documented)));
    expect(plain.status).toBe(200);
    const texts = (await timeline()).map((e) => e.text);
    expect(texts).toContain("Hey @Pranav Smith check out this message");

    // The webhook is called by @mentioning it (the recipient), and that mention goes.
    const command = await deliver(
      server.url,
      teamsSigned(
        activity("1481567603902", "<at>stlrgload100</at> im <at>Pranav Smith</at>&nbsp;<br>"),
      ),
    );
    expect(command.status).toBe(200);
    const incident = (await server.api("GET", `/api/incidents/${key}`)).body;
    expect(incident.incidentManager).toBe("Pranav Smith");
    expect(incident.timeline.map((e: Entry) => e.text)).toContain("im @Pranav Smith");
  });
});

describe("a command delivered again runs once, on every platform", () => {
  const text = "obs: replica lag is 40s on db-2";
  const observations = async () =>
    ((await server.api("GET", `/api/incidents/${key}`)).body.observations as { text: string }[])
      .map((o) => o.text)
      .filter((t) => t === "replica lag is 40s on db-2");
  const twice = async (hook: () => Hook) => {
    const before = (await observations()).length;
    for (let n = 0; n < 2; n++) expect((await deliver(server.url, hook())).status).toBe(200);
    expect((await observations()).length).toBe(before + 1);
  };

  it("Mattermost: the same post_id twice (an outgoing webhook retried)", async () => {
    const post = copyOf(DOCUMENTED.mattermostForm);
    post.channel_id = "redeliver-mm";
    post.channel_name = "redeliver-mm";
    post.post_id = "redeliver-post-1";
    post.text = text;
    post.timestamp = String(Math.floor(Date.now() / 1000));
    await linkRoom("mattermost", post.channel_id);
    await twice(() => ({
      method: "POST",
      path: "/hooks/mattermost",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(post).toString(),
    }));
  });

  it("Matrix: the same event in two transactions (the homeserver sent it again)", async () => {
    const event = copyOf(DOCUMENTED.matrixMessage);
    event.room_id = "!redeliver:example.org";
    event.event_id = "$redeliver-obs:example.org";
    event.origin_server_ts = Date.now();
    event.content.body = text;
    await linkRoom("matrix", event.room_id);
    let txn = 0;
    await twice(() => matrixTransaction(`redeliver-${++txn}`, [event]));
  });

  it("Teams: the same activity id twice", async () => {
    const activity = {
      ...copyOf(DOCUMENTED_MORE.teamsMention),
      id: "1485983408599",
      // The webhook is mentioned by its name (the activity's recipient), as Teams requires.
      text: `<at>stlrgload100</at> ${text}`,
      timestamp: new Date().toISOString(),
    };
    // Its room is the one the Teams tests above linked (the same documented conversation).
    await twice(() => teamsSigned(activity));
  });

  it("the generic webhook: the same id twice", async () => {
    await linkRoom("webhook", "redeliver-generic");
    await twice(() =>
      genericSigned({ ...copyOf(DOCUMENTED.generic), channel: "redeliver-generic", text }),
    );
  });
});
