import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/<method>) with the few
 * methods hotdoc calls, checking requests the way Slack does and answering with the
 * shapes Slack documents. Its sources:
 *
 * - Response examples and each method's error codes: slackapi/slack-api-specs
 *   web-api/slack_web_openapi_v2.json (the OpenAPI spec behind api.slack.com/methods),
 *   copied into DOCUMENTED below, with the fields a test needs (ids, names, text)
 *   replaced by the request's.
 * - Errors answered with HTTP 200 and `{"ok": false, "error": …}`, `invalid_auth` for a
 *   wrong token, a 429 with `Retry-After` and `{"ok": false, "error": "ratelimited"}`,
 *   and `{"ok": false}` with a bare 5xx: the mock server of Slack's own Python SDK
 *   (slackapi/python-slack-sdk tests/slack_sdk/web/mock_web_api_handler.py).
 * - A missing required argument: `invalid_arguments` with a `[ERROR] missing required
 *   field: …` message (the "Typical error response" of
 *   https://docs.slack.dev/reference/methods/conversations.setTopic).
 * - Bodies: application/x-www-form-urlencoded, where structured arguments such as
 *   `blocks` are "a JSON-based array … presented as a URL-encoded string" (the spec's
 *   chat.postMessage parameters), or application/json (both in every method's
 *   `consumes`). The token comes as `Authorization: Bearer xoxb-…`, or as a `token`
 *   form field.
 */

/** Slack's examples, as slackapi/slack-api-specs web-api/slack_web_openapi_v2.json gives them. */
export const DOCUMENTED = {
  /** chat.postMessage, 200 "Typical success response". */
  postMessage: {
    channel: "C1H9RESGL",
    message: {
      attachments: [
        { fallback: "This is an attachment's fallback", id: 1, text: "This is an attachment" },
      ],
      bot_id: "B19LU7CSY",
      subtype: "bot_message",
      text: "Here's a message for you",
      ts: "1503435956.000247",
      type: "message",
      username: "ecto1",
    },
    ok: true,
    ts: "1503435956.000247",
  },
  /** conversations.create, 200: "a rather stark conversation object". */
  create: {
    channel: {
      created: 1504554479,
      creator: "U0123456",
      id: "C0EAQDV4Z",
      is_archived: false,
      is_channel: true,
      is_ext_shared: false,
      is_general: false,
      is_group: false,
      is_im: false,
      is_member: true,
      is_mpim: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      is_private: false,
      is_shared: false,
      last_read: "0000000000.000000",
      latest: null,
      name: "endeavor",
      name_normalized: "endeavor",
      pending_shared: [],
      previous_names: [],
      priority: 0,
      purpose: { creator: "", last_set: 0, value: "" },
      topic: { creator: "", last_set: 0, value: "" },
      unlinked: 0,
      unread_count: 0,
      unread_count_display: 0,
    },
    ok: true,
  },
  /** conversations.setTopic, 200 "Typical success response". */
  setTopic: { ok: true },
  /** conversations.invite, 200 "Typical success response when an invitation is extended". */
  invite: {
    channel: {
      created: 1449252889,
      creator: "W012A3BCD",
      id: "C012AB3CD",
      is_archived: false,
      is_channel: true,
      is_ext_shared: false,
      is_general: true,
      is_group: false,
      is_im: false,
      is_member: true,
      is_mpim: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      is_private: false,
      is_read_only: false,
      is_shared: false,
      last_read: "1502126650.228446",
      locale: "en-US",
      name: "general",
      name_normalized: "general",
      num_members: 23,
      pending_shared: [],
      previous_names: ["specifics", "abstractions", "etc"],
      purpose: {
        creator: "W012A3BCD",
        last_set: 1449709364,
        value: "This part of the workspace is for fun. Make fun here.",
      },
      topic: {
        creator: "W012A3BCD",
        last_set: 1449709364,
        value: "For public discussion of generalities",
      },
      unlinked: 0,
    },
    ok: true,
  },
  /**
   * users.info, 200 "Typical success response": the user object, with two fields the
   * spec's example leaves out: `is_stranger` as in the user type's example
   * (https://api.slack.com/types/user), and `is_email_confirmed` from the users.info
   * answers Slack's Java SDK recorded (slackapi/java-slack-sdk
   * json-logs/samples/api/users.info.json; `is_email_confirmed?: boolean` in
   * @slack/web-api's UsersInfoResponse), true here: Egon's address is confirmed.
   */
  user: {
    color: "9f69e7",
    deleted: false,
    has_2fa: false,
    id: "W012A3CDE",
    is_admin: true,
    is_app_user: false,
    is_bot: false,
    is_email_confirmed: true,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_stranger: false,
    is_ultra_restricted: false,
    name: "spengler",
    profile: {
      avatar_hash: "ge3b51ca72de",
      display_name: "spengler",
      display_name_normalized: "spengler",
      email: "spengler@ghostbusters.example.com",
      image_192: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_24: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_32: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_48: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_512: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_72: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      image_original: "https://.../avatar/e3b51ca72dee4ef87916ae2b9240df50.jpg",
      real_name: "Egon Spengler",
      real_name_normalized: "Egon Spengler",
      status_emoji: ":books:",
      status_text: "Print is dead",
      team: "T012AB3C4",
    },
    real_name: "Egon Spengler",
    team_id: "T012AB3C4",
    tz: "America/Los_Angeles",
    tz_label: "Pacific Daylight Time",
    tz_offset: -25200,
    updated: 1502138686,
  },
};

/** A Slack user object (users.info's `user`), loosely: tests change fields of DOCUMENTED.user. */
export type SlackUser = { id: string; name?: string; real_name?: string } & Record<string, unknown>;

/** A conversation the fake knows, with what hotdoc did to it. */
interface FakeChannel {
  id: string;
  name: string;
  topic: string;
  is_archived: boolean;
  members: Set<string>;
  messages: { ts: string; text?: string; blocks?: unknown }[];
}

/** One request as the fake received it: the method, its arguments decoded from the body, the headers. */
interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** When it arrived (epoch ms). */
  at: number;
}

/** An answer to force on the next call of a method: an HTTP status, Retry-After (seconds), a body. */
interface FakeFailure {
  status: number;
  retryAfter?: number;
  body?: unknown;
}

export interface FakeSlack {
  /** The Web API's base URL, ending in `/api/` (what SLACK_API_URL takes). */
  url: string;
  /** The bot token requests must carry. */
  token: string;
  /** The bot's own user id (inviting it is `cant_invite_self`). */
  botUserId: string;
  calls: FakeSlackCall[];
  users: Map<string, SlackUser>;
  channels: Map<string, FakeChannel>;
  /** Answers the next call of `method` with this failure instead (queued, one per call). */
  failNext(method: string, failure: FakeFailure): void;
  /** The calls of one method, in order. */
  callsOf(method: string): FakeSlackCall[];
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  token?: string;
  botUserId?: string;
  users?: SlackUser[];
  /**
   * Whether the bot token has the `users:read.email` scope (default yes). Without it
   * users.info leaves `profile.email` out of the user object
   * (https://api.slack.com/scopes/users:read.email).
   */
  readsEmail?: boolean;
  /** Channels that exist already (a name taken, a room to post in). */
  channels?: { id: string; name: string; topic?: string; members?: string[] }[];
}

/** A copy of a documented example, safe to change. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Answer of a call: HTTP status, body, headers. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
/** Slack's refusals come with HTTP 200: the `ok` flag and the `error` code say what happened. */
const refuse = (error: string, extra: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { ok: false, error, ...extra },
});
const missingField = (field: string) =>
  refuse("invalid_arguments", {
    response_metadata: { messages: [`[ERROR] missing required field: ${field}`] },
  });

/** Block Kit limits: at most 50 blocks in a message; a section's text 1–3000 characters. */
function blocksProblem(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return true;
  return blocks.some((block) => {
    if (typeof block !== "object" || block === null) return true;
    const { type, text } = block as { type?: unknown; text?: { type?: unknown; text?: unknown } };
    if (typeof type !== "string") return true;
    if (type !== "section") return false;
    return (
      !text ||
      (text.type !== "mrkdwn" && text.type !== "plain_text") ||
      typeof text.text !== "string" ||
      text.text.length < 1 ||
      text.text.length > 3000
    );
  });
}

/** Starts the fake on 127.0.0.1 on a free port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = options.token ?? "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
  const botUserId = options.botUserId ?? "U0HOTDOCBOT";
  const calls: FakeSlackCall[] = [];
  const users = new Map((options.users ?? []).map((user) => [user.id, user]));
  const channels = new Map<string, FakeChannel>(
    (options.channels ?? []).map((c) => [
      c.id,
      {
        id: c.id,
        name: c.name,
        topic: c.topic ?? "",
        is_archived: false,
        members: new Set([botUserId, ...(c.members ?? [])]),
        messages: [],
      },
    ]),
  );
  const failures = new Map<string, FakeFailure[]>();
  let counter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, "0")}`;

  const channelObject = (channel: FakeChannel, example: { channel: Record<string, unknown> }) => ({
    ...copy(example.channel),
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    creator: botUserId,
    topic: { creator: botUserId, last_set: Math.floor(Date.now() / 1000), value: channel.topic },
  });

  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    "chat.postMessage": (args) => {
      const channel = channels.get(String(args.channel ?? ""));
      if (!channel) return refuse("channel_not_found");
      if (channel.is_archived) return refuse("is_archived");
      let blocks = args.blocks;
      if (typeof blocks === "string") {
        try {
          blocks = JSON.parse(blocks);
        } catch {
          return refuse("invalid_blocks");
        }
      }
      const text = typeof args.text === "string" ? args.text : undefined;
      if (!text && blocks === undefined) return refuse("no_text");
      if (blocks !== undefined && blocksProblem(blocks)) return refuse("invalid_blocks");
      const ts = nextTs();
      channel.messages.push({ ts, text, blocks });
      const answer = copy(DOCUMENTED.postMessage);
      const { attachments: _none, ...message } = answer.message;
      return ok({
        ...answer,
        channel: channel.id,
        ts,
        message: { ...message, text: text ?? "", ts, ...(blocks ? { blocks } : {}) },
      });
    },
    "conversations.create": (args) => {
      const name = typeof args.name === "string" ? args.name : "";
      // Channel names: lower-case letters, digits, hyphens and underscores, 80 characters at most.
      if (!name) return refuse("invalid_name_required");
      if (name.length > 80) return refuse("invalid_name_maxlength");
      if (!/^[a-z0-9_-]+$/.test(name)) return refuse("invalid_name_specials");
      if (/^[-_]+$/.test(name)) return refuse("invalid_name_punctuation");
      if ([...channels.values()].some((c) => c.name === name)) return refuse("name_taken");
      const id = `C0HOT${String(channels.size + 1).padStart(5, "0")}`;
      const channel: FakeChannel = {
        id,
        name,
        topic: "",
        is_archived: false,
        members: new Set([botUserId]),
        messages: [],
      };
      channels.set(id, channel);
      const answer = copy(DOCUMENTED.create);
      return ok({
        ...answer,
        channel: {
          ...answer.channel,
          id,
          name,
          name_normalized: name,
          creator: botUserId,
          created: Math.floor(Date.now() / 1000),
          is_private: args.is_private === true || args.is_private === "true",
        },
      });
    },
    "conversations.setTopic": (args) => {
      const channel = channels.get(String(args.channel ?? ""));
      if (!channel) return refuse("channel_not_found");
      if (typeof args.topic !== "string") return missingField("topic");
      if (!channel.members.has(botUserId)) return refuse("not_in_channel");
      if (args.topic.length > 250) return refuse("too_long");
      channel.topic = args.topic;
      return ok(copy(DOCUMENTED.setTopic));
    },
    "conversations.invite": (args) => {
      const channel = channels.get(String(args.channel ?? ""));
      if (!channel) return refuse("channel_not_found");
      const ids = String(args.users ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.length === 0) return refuse("no_user");
      const force = args.force === true || args.force === "true";
      const problems: { user: string; ok: false; error: string }[] = [];
      const problemOf = (id: string) =>
        !users.has(id) && id !== botUserId
          ? "user_not_found"
          : id === botUserId
            ? "cant_invite_self"
            : channel.members.has(id)
              ? "already_in_channel"
              : undefined;
      for (const id of ids) {
        const error = problemOf(id);
        if (error) problems.push({ user: id, ok: false, error });
      }
      // Without `force` one bad id stops them all; with it the valid ones are still invited.
      if (problems.length > 0 && !force) return refuse(problems[0].error);
      for (const id of ids) if (!problemOf(id)) channel.members.add(id);
      if (problems.length > 0) return refuse(problems[0].error, { errors: problems });
      return ok({ ...copy(DOCUMENTED.invite), channel: channelObject(channel, DOCUMENTED.invite) });
    },
    "users.info": (args) => {
      if (typeof args.user !== "string" || !args.user) return missingField("user");
      const user = users.get(args.user);
      if (!user) return refuse("user_not_found");
      if (options.readsEmail !== false) return ok({ ok: true, user });
      const { email: _hidden, ...profile } = (user.profile ?? {}) as Record<string, unknown>;
      return ok({ ok: true, user: { ...user, profile } });
    },
  };

  /** The request's arguments from its body (form or JSON) or, for GET, its query. */
  const readArgs = (
    request: http.IncomingMessage,
    raw: string,
    url: URL,
  ): Record<string, unknown> | Answer => {
    if (request.method === "GET") return Object.fromEntries(url.searchParams);
    const type = request.headers["content-type"] ?? "";
    if (!type) return raw ? refuse("missing_post_type") : {};
    if (type.startsWith("application/x-www-form-urlencoded"))
      return Object.fromEntries(new URLSearchParams(raw));
    if (type.startsWith("application/json")) {
      try {
        const parsed: unknown = JSON.parse(raw || "{}");
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : refuse("json_not_object");
      } catch {
        return refuse("invalid_json");
      }
    }
    return refuse("invalid_post_type");
  };

  const answer = (response: http.ServerResponse, result: Answer) => {
    const body = typeof result.body === "string" ? result.body : JSON.stringify(result.body);
    response.writeHead(result.status, {
      "content-type": "application/json; charset=utf-8",
      ...result.headers,
    });
    response.end(body);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const method = url.pathname.startsWith("/api/") ? url.pathname.slice("/api/".length) : "";
      const parsed = readArgs(request, Buffer.concat(chunks).toString("utf8"), url);
      const isAnswer = (value: unknown): value is Answer =>
        typeof value === "object" && value !== null && "status" in value && "body" in value;
      calls.push({
        method,
        args: isAnswer(parsed) ? {} : parsed,
        headers: request.headers,
        at: Date.now(),
      });
      const forced = failures.get(method)?.shift();
      if (forced) {
        answer(response, {
          status: forced.status,
          body:
            forced.body ??
            (forced.status === 429 ? { ok: false, error: "ratelimited" } : { ok: false }),
          headers:
            forced.retryAfter === undefined ? {} : { "retry-after": String(forced.retryAfter) },
        });
        return;
      }
      if (isAnswer(parsed)) return answer(response, parsed);
      const authorization = request.headers.authorization;
      const presented = authorization?.startsWith("Bearer ")
        ? authorization.slice("Bearer ".length)
        : typeof parsed.token === "string"
          ? parsed.token
          : undefined;
      if (!presented) return answer(response, refuse("not_authed"));
      if (presented !== token) return answer(response, refuse("invalid_auth"));
      const handler = methods[method];
      // Not a Slack method this fake implements.
      if (!handler)
        return answer(response, { status: 404, body: { ok: false, error: "unknown_method" } });
      answer(response, handler(parsed));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    botUserId,
    calls,
    users,
    channels,
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    callsOf(method) {
      return calls.filter((call) => call.method === method);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
