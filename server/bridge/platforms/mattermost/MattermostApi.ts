import { TargetRefusedError } from "../../../net/outboundTarget.ts";
import {
  isRetryableStatus,
  RetryableError,
  retryAfterMs,
  withRetries,
} from "../../../net/retrying.ts";
import {
  type ChatApi,
  ChatApiError,
  type CreatedRoom,
  type OutboundMessage,
  type RoomRequest,
} from "../../ChatApi.ts";
import type { PlatformDeps } from "../PlatformModule.ts";
import type { MattermostSettings } from "./env.ts";
import { escapeMattermostText } from "./markdown.ts";

/** One attempt's time limit; a slower server is retried like one that answered 5xx. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How many names `createRoom` tries (`hot-42`, `hot-42-2` … `hot-42-10`) before giving up. */
const NAME_TRIES = 10;
/**
 * The error id of a channel name already used in the team (`store.ChannelExistsError`,
 * mattermost/mattermost server/channels/store/constants.go; answered with 400 by
 * `App.CreateChannel` in server/channels/app/channel.go). A name held by an archived
 * channel is refused the same way: the unique key is (team, name).
 */
const CHANNEL_EXISTS = "store.sql_channel.save_channel.exists.app_error";
/** `ChannelHeaderMaxRunes` (server/public/model/channel.go): a longer header is refused. */
const HEADER_MAX_RUNES = 1024;
/**
 * "Posts size is limited to 16383 characters for servers running Mattermost Server v5.0
 * or later" (developers.mattermost.com/integrate/slash-commands/, "Tips and best practices").
 */
const POST_MAX_RUNES = 16_383;
/** A user id: `model.NewId()`, 26 characters of base32 (server/public/model/utils.go). */
const USER_ID = /^[a-z0-9]{26}$/;

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** Cuts text to at most `max` code points (Mattermost counts runes), marking the cut. */
function cutRunes(text: string, max: number): string {
  const runes = Array.from(text);
  return runes.length <= max ? text : `${runes.slice(0, max - 1).join("")}…`;
}

function parseObject(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/**
 * Mattermost's REST API v4 as a bot (Authorization: Bearer <bot access token>). Every
 * call goes through the outbound policy and retries on 429, 5xx and dropped connections,
 * honouring Retry-After. Errors are Mattermost's AppError JSON, `{id, message,
 * detailed_error, request_id, status_code}` (server/public/model/utils.go); its `id` is
 * the ChatApiError's code.
 */
export class MattermostApi implements ChatApi {
  readonly platform = "mattermost" as const;
  private readonly base: string;
  private readonly token: string;
  private readonly teamId: string | undefined;
  private readonly deps: PlatformDeps;

  constructor(settings: MattermostSettings, deps: PlatformDeps) {
    if (!settings.url || !settings.botToken)
      throw new Error("MattermostApi needs MATTERMOST_URL and MATTERMOST_BOT_TOKEN");
    this.base = `${settings.url.replace(/\/+$/, "")}/api/v4`;
    this.token = settings.botToken;
    this.teamId = settings.teamId;
    this.deps = deps;
  }

  /** Creates a post (POST /api/v4/posts, api/v4/source/posts.yaml `CreatePost`). */
  async post(channel: string, message: OutboundMessage): Promise<void> {
    await this.call("POST", "/posts", {
      channel_id: channel,
      message: cutRunes(escapeMattermostText(message.text), POST_MAX_RUNES),
    });
  }

  /**
   * Opens a public channel (`type: "O"`) in MATTERMOST_TEAM_ID with the topic as its
   * header (POST /api/v4/channels, api/v4/source/channels.yaml `CreateChannel`), trying
   * `hot-42-2`, `hot-42-3`… while the name is taken, then adds each responder
   * (POST /api/v4/channels/{id}/members). The display name is the name in upper case.
   */
  async createRoom(request: RoomRequest): Promise<CreatedRoom> {
    if (!this.teamId)
      throw new ChatApiError(
        "mattermost",
        "creating a channel needs the team to create it in: set MATTERMOST_TEAM_ID to the team's id",
      );
    for (let n = 1; n <= NAME_TRIES; n++) {
      const name = n === 1 ? request.name : `${request.name}-${n}`;
      const answer = await this.call(
        "POST",
        "/channels",
        {
          team_id: this.teamId,
          name,
          display_name: name.toUpperCase(),
          type: "O",
          header: cutRunes(escapeMattermostText(request.topic), HEADER_MAX_RUNES),
        },
        (status, id) => status === 400 && id === CHANNEL_EXISTS,
      );
      if (answer.status === 400) continue;
      const id = answer.json.id;
      if (typeof id !== "string" || !id)
        throw new ChatApiError("mattermost", "the channel was created without an id", {
          status: answer.status,
        });
      // The channel exists now: an invitation that fails must not lose it.
      await this.invite(id, request.invite).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, channel: id }, "could not invite to the new channel"),
      );
      return { channel: id, name: typeof answer.json.name === "string" ? answer.json.name : name };
    }
    throw new ChatApiError(
      "mattermost",
      `the channel names ${request.name} to ${request.name}-${NAME_TRIES} are all taken in the team`,
      { status: 400, code: CHANNEL_EXISTS },
    );
  }

  /**
   * Sets the channel header (PUT /api/v4/channels/{id}/patch: PUT in the OpenAPI source
   * api/v4/source/channels.yaml and in the route, server/channels/api4/channel.go), cut
   * to the 1024 runes Mattermost accepts.
   */
  async setTopic(channel: string, topic: string): Promise<void> {
    await this.call("PUT", `/channels/${encodeURIComponent(channel)}/patch`, {
      header: cutRunes(escapeMattermostText(topic), HEADER_MAX_RUNES),
    });
  }

  /**
   * Adds each person to the channel. Adding a member again answers with the existing
   * membership (`addUserToChannel` returns it: server/channels/app/channel.go), so it is
   * no error. Everyone is tried; the first failure is thrown afterwards.
   */
  async invite(channel: string, users: string[]): Promise<void> {
    let failure: unknown;
    for (const userId of users) {
      try {
        await this.call("POST", `/channels/${encodeURIComponent(channel)}/members`, {
          user_id: userId,
        });
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }

  /**
   * A person's name by user id (26 characters: GET /api/v4/users/{id}) or by username
   * (GET /api/v4/users/username/{name}): their nickname if set, else first and last
   * name, else the username; null when there is no such user (404).
   */
  async displayName(idOrUsername: string): Promise<string | null> {
    const key = idOrUsername.replace(/^@/, "");
    if (!key) return null;
    const path = USER_ID.test(key)
      ? `/users/${encodeURIComponent(key)}`
      : `/users/username/${encodeURIComponent(key)}`;
    const answer = await this.call("GET", path, undefined, (status) => status === 404);
    if (answer.status === 404) return null;
    const user = answer.json;
    const full = `${text(user.first_name)} ${text(user.last_name)}`.trim();
    return text(user.nickname) || full || text(user.username) || null;
  }

  /**
   * One API call with retries. A 2xx answer is returned; so is an error answer `accept`
   * takes (the caller handles it); anything else throws ChatApiError carrying the status
   * and the AppError's id, once the retries are spent where retrying helps.
   */
  private async call(
    method: "GET" | "POST" | "PUT",
    path: string,
    body?: unknown,
    accept?: (status: number, id: string | undefined) => boolean,
  ): Promise<Answer> {
    let last: { status?: number; code?: string } = {};
    try {
      return await withRetries(async () => {
        let result: Awaited<ReturnType<PlatformDeps["outbound"]["request"]>>;
        try {
          result = await this.deps.outbound.request(`${this.base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${this.token}`,
              accept: "application/json",
              ...(body === undefined ? {} : { "content-type": "application/json" }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            timeoutMs: ATTEMPT_TIMEOUT_MS,
          });
        } catch (error) {
          if (error instanceof TargetRefusedError)
            throw new ChatApiError(
              "mattermost",
              `the Mattermost server is not reachable: ${error.message}`,
            );
          last = {};
          throw new RetryableError(
            `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        const json = parseObject(result.body);
        if (result.status >= 200 && result.status < 300) return { status: result.status, json };
        const id = typeof json.id === "string" ? json.id : undefined;
        if (accept?.(result.status, id)) return { status: result.status, json };
        const reason = typeof json.message === "string" ? json.message : undefined;
        const message = `${method} ${path} answered ${result.status}${id ? ` ${id}` : ""}${reason ? `: ${reason}` : ""}`;
        last = { status: result.status, code: id };
        if (isRetryableStatus(result.status)) {
          const wait = retryAfterMs(header(result.headers["retry-after"]));
          this.deps.logger.debug({ path, status: result.status, wait }, "mattermost call retried");
          throw new RetryableError(message, wait);
        }
        throw new ChatApiError("mattermost", message, last);
      }, this.deps.retry);
    } catch (error) {
      if (error instanceof RetryableError)
        throw new ChatApiError("mattermost", `gave up: ${error.message}`, last);
      throw error;
    }
  }
}
