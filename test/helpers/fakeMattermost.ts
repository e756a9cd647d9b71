import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeCall, readCall, takeFailure } from "./fakeCalls.ts";

/**
 * A Mattermost server's REST API v4, reduced to the endpoints hotdoc's bot uses, on
 * 127.0.0.1 (port 0). It checks requests the way the server does and answers with its
 * shapes, cited from mattermost/mattermost (api/v4/source/*.yaml, the OpenAPI source of
 * the API reference, and server/public/model/*.go, whose JSON tags are the wire names).
 *
 * Errors are the server's AppError JSON, `{id, message, detailed_error, request_id,
 * status_code}` (server/public/model/utils.go). `message` is the id itself here, which
 * is what `NewAppError` puts there before translating it; a real server sends the
 * translation, and clients go by `id`.
 */

/** One request as the fake received it. */
export type MattermostCall = FakeCall;

/** What the next matching request is answered with instead of being served. */
export interface MattermostFailure {
  status: number;
  /** Sent as Retry-After (seconds), as the server's rate limiter does. */
  retryAfter?: number | string;
  /** The body: a string goes out as text/plain, anything else as JSON. */
  body?: unknown;
}

export interface FakeUser {
  id: string;
  username: string;
  nickname?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
}

export interface FakeChannel {
  id: string;
  team_id: string;
  name: string;
  display_name: string;
  type: string;
  header: string;
  purpose: string;
  create_at: number;
  update_at: number;
  creator_id: string;
}

/** `model.NewId()`: 16 random bytes in base32 with Mattermost's alphabet, unpadded (26 characters). */
function mattermostId(): string {
  const alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of crypto.randomBytes(16)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function appError(id: string, status: number, detailed = "") {
  return {
    id,
    message: id,
    detailed_error: detailed,
    request_id: mattermostId(),
    status_code: status,
  };
}

/** `model.IsValidChannelIdentifier` (server/public/model/utils.go), with ChannelNameMaxLength 64. */
function validChannelName(name: string): boolean {
  return (
    name.length >= 1 && name.length <= 64 && /^[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$/.test(name)
  );
}

const runes = (text: string) => Array.from(text).length;

export class FakeMattermost {
  readonly calls: MattermostCall[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  /** Channel id → member user ids. */
  readonly members = new Map<string, Set<string>>();
  readonly posts: { id: string; channel_id: string; message: string; user_id: string }[] = [];
  readonly teamId: string;
  readonly botUserId: string;
  /**
   * PrivacySettings.ShowEmailAddress: off, users are sent with `email` blank. On by
   * default, as in the server's config defaults (server/public/model/config.go
   * `PrivacySettings.setDefaults`).
   */
  showEmailAddress = true;
  url = "";
  private readonly token: string;
  private readonly server: http.Server;
  private readonly failures: { pattern: RegExp | string; failure: MattermostFailure }[] = [];

  private constructor(options: { botToken: string; teamId: string }) {
    this.token = options.botToken;
    this.teamId = options.teamId;
    this.botUserId = mattermostId();
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const { status, body, headers } = this.handle(request, Buffer.concat(chunks).toString());
        const text = typeof body === "string";
        response.writeHead(status, {
          "content-type": text ? "text/plain; charset=utf-8" : "application/json",
          ...headers,
        });
        response.end(text ? body : JSON.stringify(body));
      });
    });
  }

  /** Starts a fake Mattermost server on 127.0.0.1 with a random port. */
  static async start(options: { botToken: string; teamId?: string }): Promise<FakeMattermost> {
    const fake = new FakeMattermost({
      botToken: options.botToken,
      teamId: options.teamId ?? mattermostId(),
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The next request whose path (decoded) contains `pattern`, or matches it as a
   * regular expression, is answered with `failure` (queued). The request is recorded.
   */
  failNext(pattern: RegExp | string, failure: MattermostFailure): void {
    this.failures.push({ pattern, failure });
  }

  seedUser(user: Omit<FakeUser, "id"> & { id?: string }): FakeUser {
    const seeded = { ...user, id: user.id ?? mattermostId() };
    this.users.set(seeded.id, seeded);
    return seeded;
  }

  /** A channel that exists already in the team (the bot is a member). */
  seedChannel(name: string, members: string[] = []): FakeChannel {
    const now = Date.now();
    const channel: FakeChannel = {
      id: mattermostId(),
      team_id: this.teamId,
      name,
      display_name: name,
      type: "O",
      header: "",
      purpose: "",
      create_at: now,
      update_at: now,
      creator_id: this.botUserId,
    };
    this.channels.set(channel.id, channel);
    this.members.set(channel.id, new Set([this.botUserId, ...members]));
    return channel;
  }

  /** The calls whose decoded path contains `part`. */
  callsTo(part: string): MattermostCall[] {
    return this.calls.filter((call) => call.segments.join("/").includes(part));
  }

  private handle(
    request: http.IncomingMessage,
    raw: string,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const call = readCall(request, raw);
    this.calls.push(call);
    const { method, segments, body } = call;
    const failure = takeFailure(this.failures, call);
    if (failure) {
      return {
        status: failure.status,
        // A rate-limited request is answered by `http.Error(w, "limit exceeded", 429)`
        // with Retry-After set (server/channels/app/ratelimit.go, RateLimitWriter and
        // setRateLimitHeaders); other failures default to an AppError made up for the test.
        body:
          failure.body ??
          (failure.status === 429
            ? "limit exceeded\n"
            : appError("fake.forced_failure", failure.status)),
        headers:
          failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) },
      };
    }

    // The token is read from `Authorization: Bearer …` (or `Token …`); a missing or
    // unknown one answers 401 api.context.session_expired.app_error
    // (server/channels/web/handlers.go, ServeHTTP; SessionRequired in web/context.go).
    const auth = /^(?:Bearer|Token) (.+)$/i.exec(request.headers.authorization ?? "");
    if (!auth || auth[1] !== this.token)
      return { status: 401, body: appError("api.context.session_expired.app_error", 401) };

    // An unknown route: api.context.404.app_error, the error Mattermost's Handle404 renders.
    if (segments[0] !== "api" || segments[1] !== "v4")
      return { status: 404, body: appError("api.context.404.app_error", 404) };
    const route = segments.slice(2);

    if (method === "POST" || method === "PUT") {
      // The API reference declares every body application/json; the server answers an
      // undecodable one with api.context.invalid_body_param.app_error (NewInvalidParamError,
      // server/channels/web/context.go).
      const type = request.headers["content-type"] ?? "";
      if (!type.startsWith("application/json") || typeof body !== "object" || body === null)
        return { status: 400, body: appError("api.context.invalid_body_param.app_error", 400) };
    }
    const fields = (body ?? {}) as Record<string, unknown>;
    const missing = (...names: string[]) =>
      names.find((name) => typeof fields[name] !== "string" || fields[name] === "");

    // POST /api/v4/posts (api/v4/source/posts.yaml CreatePost: channel_id and message required).
    if (method === "POST" && route.length === 1 && route[0] === "posts") {
      const absent =
        missing("channel_id") ?? (typeof fields.message === "string" ? undefined : "message");
      if (absent)
        return {
          status: 400,
          body: appError("api.context.invalid_body_param.app_error", 400, absent),
        };
      const channelId = fields.channel_id as string;
      // No create_post permission in the channel: SetPermissionError's 403
      // api.context.permissions.app_error (server/channels/web/context.go).
      if (!this.members.get(channelId)?.has(this.botUserId))
        return { status: 403, body: appError("api.context.permissions.app_error", 403) };
      // PostMessageMaxRunesV2 (server/public/model/post.go).
      if (runes(fields.message as string) > 16_383)
        return { status: 400, body: appError("model.post.is_valid.message_length.app_error", 400) };
      const now = Date.now();
      const post = {
        id: mattermostId(),
        channel_id: channelId,
        message: fields.message as string,
        user_id: this.botUserId,
      };
      this.posts.push(post);
      // The Post JSON (server/public/model/post.go `Post`).
      return {
        status: 201,
        body: {
          ...post,
          create_at: now,
          update_at: now,
          edit_at: 0,
          delete_at: 0,
          is_pinned: false,
          root_id: "",
          original_id: "",
          type: "",
          props: {},
          hashtags: "",
          file_ids: [],
          pending_post_id: "",
          reply_count: 0,
          last_reply_at: 0,
          participants: null,
          metadata: {},
        },
      };
    }

    // POST /api/v4/channels (channels.yaml CreateChannel: team_id, name, display_name, type required).
    if (method === "POST" && route.length === 1 && route[0] === "channels") {
      const absent = missing("team_id", "name", "display_name", "type");
      if (absent)
        return {
          status: 400,
          body: appError("api.context.invalid_body_param.app_error", 400, absent),
        };
      if (fields.team_id !== this.teamId)
        return { status: 403, body: appError("api.context.permissions.app_error", 403) };
      const name = fields.name as string;
      const header = typeof fields.header === "string" ? fields.header : "";
      // The checks of `Channel.IsValid` (server/public/model/channel.go).
      if (!validChannelName(name))
        return { status: 400, body: appError("model.channel.is_valid.1_or_more.app_error", 400) };
      if (runes(fields.display_name as string) > 64)
        return {
          status: 400,
          body: appError("model.channel.is_valid.display_name.app_error", 400),
        };
      if (fields.type !== "O" && fields.type !== "P")
        return { status: 400, body: appError("model.channel.is_valid.type.app_error", 400) };
      if (runes(header) > 1024)
        return { status: 400, body: appError("model.channel.is_valid.header.app_error", 400) };
      if ([...this.channels.values()].some((c) => c.team_id === this.teamId && c.name === name))
        // store.ChannelExistsError (server/channels/store/constants.go), 400 from App.CreateChannel.
        return {
          status: 400,
          body: appError("store.sql_channel.save_channel.exists.app_error", 400),
        };
      const channel = this.seedChannel(name);
      channel.display_name = fields.display_name as string;
      channel.type = fields.type as string;
      channel.header = header;
      channel.purpose = typeof fields.purpose === "string" ? fields.purpose : "";
      return { status: 201, body: this.channelJson(channel) };
    }

    // PUT /api/v4/channels/{channel_id}/patch (channels.yaml PatchChannel).
    if (method === "PUT" && route[0] === "channels" && route[2] === "patch" && route.length === 3) {
      const channel = this.channels.get(route[1]);
      if (!channel)
        return { status: 404, body: appError("app.channel.get.existing.app_error", 404) };
      if (typeof fields.header === "string") {
        if (runes(fields.header) > 1024)
          return { status: 400, body: appError("model.channel.is_valid.header.app_error", 400) };
        channel.header = fields.header;
      }
      if (typeof fields.display_name === "string") channel.display_name = fields.display_name;
      if (typeof fields.purpose === "string") channel.purpose = fields.purpose;
      channel.update_at = Date.now();
      return { status: 200, body: this.channelJson(channel) };
    }

    // POST /api/v4/channels/{channel_id}/members (channels.yaml AddChannelMember).
    if (
      method === "POST" &&
      route[0] === "channels" &&
      route[2] === "members" &&
      route.length === 3
    ) {
      const channel = this.channels.get(route[1]);
      if (!channel)
        return { status: 404, body: appError("app.channel.get.existing.app_error", 404) };
      const absent = missing("user_id");
      if (absent)
        return {
          status: 400,
          body: appError("api.context.invalid_body_param.app_error", 400, absent),
        };
      const userId = fields.user_id as string;
      if (!this.users.has(userId))
        return { status: 404, body: appError("app.user.missing_account.const", 404) };
      // Already a member: `addUserToChannel` returns the existing membership
      // (server/channels/app/channel.go), and the handler answers 201 with it.
      this.members.get(channel.id)?.add(userId);
      // The ChannelMember JSON (server/public/model/channel_member.go).
      return {
        status: 201,
        body: {
          channel_id: channel.id,
          user_id: userId,
          roles: "channel_user",
          last_viewed_at: 0,
          msg_count: 0,
          mention_count: 0,
          notify_props: {
            desktop: "default",
            email: "default",
            mark_unread: "all",
            push: "default",
          },
          last_update_at: Date.now(),
          scheme_user: true,
          scheme_admin: false,
          explicit_roles: "",
        },
      };
    }

    // GET /api/v4/users/{user_id} and /api/v4/users/username/{username} (users.yaml); a
    // user not found is 404 app.user.missing_account.const (App.GetUser) or
    // app.user.get_by_username.app_error (App.GetUserByUsername), server/channels/app/user.go.
    if (method === "GET" && route[0] === "users") {
      const byName = route.length === 3 && route[1] === "username";
      if (route.length !== 2 && !byName)
        return { status: 404, body: appError("api.context.404.app_error", 404) };
      const user = byName
        ? [...this.users.values()].find((u) => u.username === route[2].toLowerCase())
        : this.users.get(route[1]);
      if (!user)
        return {
          status: 404,
          body: appError(
            byName ? "app.user.get_by_username.app_error" : "app.user.missing_account.const",
            404,
          ),
        };
      // The User JSON (server/public/model/user.go `User`), sanitized as the API sends it:
      // `User.Sanitize` blanks `email` when the sanitize options say not to show it,
      // which `Config.GetSanitizeOptions` takes from PrivacySettings.ShowEmailAddress.
      return {
        status: 200,
        body: {
          id: user.id,
          create_at: 1_700_000_000_000,
          update_at: 1_700_000_000_000,
          delete_at: 0,
          username: user.username,
          auth_service: "",
          email: this.showEmailAddress ? (user.email ?? "") : "",
          nickname: user.nickname ?? "",
          first_name: user.first_name ?? "",
          last_name: user.last_name ?? "",
          position: "",
          roles: "system_user",
          locale: "en",
          timezone: { automaticTimezone: "", manualTimezone: "", useAutomaticTimezone: "true" },
          disable_welcome_email: false,
        },
      };
    }

    return { status: 404, body: appError("api.context.404.app_error", 404) };
  }

  /** The Channel JSON (server/public/model/channel.go `Channel`). */
  private channelJson(channel: FakeChannel) {
    return {
      ...channel,
      delete_at: 0,
      last_post_at: 0,
      total_msg_count: 0,
      extra_update_at: 0,
      scheme_id: null,
      props: null,
      group_constrained: null,
      shared: null,
      total_msg_count_root: 0,
      policy_id: null,
      last_root_post_at: 0,
    };
  }
}
