import {
  type ChatApi,
  ChatApiError,
  type ChatPerson,
  type CreatedRoom,
  type OutboundMessage,
  type RoomRequest,
} from "../../ChatApi.ts";
import { callJsonApi, type JsonAnswer } from "../../jsonApiCall.ts";
import type { PlatformDeps } from "../PlatformModule.ts";
import type { MattermostSettings } from "./env.ts";
import { escapeMattermostText } from "./markdown.ts";

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

/** Cuts text to at most `max` code points (Mattermost counts runes), marking the cut. */
function cutRunes(text: string, max: number): string {
  const runes = Array.from(text);
  return runes.length <= max ? text : `${runes.slice(0, max - 1).join("")}…`;
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
  private readonly trustEmails: boolean;
  private readonly deps: PlatformDeps;

  constructor(settings: MattermostSettings, deps: PlatformDeps) {
    if (!settings.url || !settings.botToken)
      throw new Error("MattermostApi needs MATTERMOST_URL and MATTERMOST_BOT_TOKEN");
    this.base = `${settings.url.replace(/\/+$/, "")}/api/v4`;
    this.token = settings.botToken;
    this.teamId = settings.teamId;
    this.trustEmails = settings.trustEmails;
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
   * A person by user id (26 characters: GET /api/v4/users/{id}) or by username
   * (GET /api/v4/users/username/{name}). The name: their nickname if set, else first
   * and last name, else the username. A user that does not exist (404) has neither
   * name nor email.
   *
   * The email names a signed-in person, so it is given only with MATTERMOST_TRUST_EMAILS:
   * unless the server requires verification (`RequireEmailVerification`, off by default,
   * server/public/model/config.go), a user may set an address they do not own, and the
   * User's `email_verified` cannot tell: the server clears it in anyone's profile but
   * the caller's own (`getUser` in server/channels/api4/user.go sanitizes with
   * `User.SanitizeProfile`, whose `ClearNonProfileFields` clears it, in
   * server/public/model/user.go). With the setting, the email is the User's `email`,
   * which the server blanks unless its PrivacySettings.ShowEmailAddress is on or the
   * bot may manage the system (`User.Sanitize`, same file).
   */
  async person(idOrUsername: string): Promise<ChatPerson> {
    const key = idOrUsername.replace(/^@/, "");
    if (!key) return { name: null, email: null };
    const path = USER_ID.test(key)
      ? `/users/${encodeURIComponent(key)}`
      : `/users/username/${encodeURIComponent(key)}`;
    const answer = await this.call("GET", path, undefined, (status) => status === 404);
    if (answer.status === 404) return { name: null, email: null };
    const user = answer.json;
    const full = `${text(user.first_name)} ${text(user.last_name)}`.trim();
    return {
      name: text(user.nickname) || full || text(user.username) || null,
      email: (this.trustEmails && text(user.email)) || null,
    };
  }

  /**
   * One API call with retries. A 2xx answer is returned; so is an error answer `accept`
   * takes (the caller handles it); anything else throws ChatApiError carrying the status
   * and the AppError's id, once the retries are spent where retrying helps.
   */
  private call(
    method: "GET" | "POST" | "PUT",
    path: string,
    body?: unknown,
    accept?: (status: number, id: string | undefined) => boolean,
  ): Promise<JsonAnswer> {
    return callJsonApi({
      platform: "mattermost",
      deps: this.deps,
      server: "the Mattermost server",
      url: `${this.base}${path}`,
      token: this.token,
      method,
      body,
      accept: accept && ((status, code) => accept(status, code)),
      refusal: (json) => ({
        code: typeof json.id === "string" ? json.id : undefined,
        text: typeof json.message === "string" ? json.message : undefined,
      }),
    });
  }
}
