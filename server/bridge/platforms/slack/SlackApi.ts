import {
  ErrorCode,
  LogLevel,
  type RetryOptions,
  type Logger as SlackLogger,
  type WebAPICallResult,
  WebClient,
} from "@slack/web-api";
import type { Logger } from "../../../logger.ts";
import {
  DEFAULT_RETRY,
  RetryableError,
  type RetryPolicy,
  withRetries,
} from "../../../net/retrying.ts";
import {
  type ChatApi,
  ChatApiError,
  type ChatPerson,
  type CreatedRoom,
  type OutboundMessage,
  type RoomRequest,
} from "../../ChatApi.ts";
import type { PlatformDeps } from "../PlatformModule.ts";
import type { SlackSettings } from "./env.ts";
import { escapeSlackText } from "./slackText.ts";

/** Longest topic Slack takes: conversations.setTopic's `too_long` is "Topic was longer than 250 characters". */
const MAX_TOPIC = 250;
/**
 * Block Kit limits: a section's text is 1 to 3000 characters (SectionBlock in
 * slackapi/node-slack-sdk packages/types/src/block-kit/blocks.ts), and a message has
 * up to 50 blocks (https://docs.slack.dev/reference/block-kit/blocks).
 */
const MAX_SECTION_TEXT = 3000;
const MAX_BLOCKS = 50;
/** Channel names are lower-case letters, digits, `-` and `_`, 80 characters at most (conversations.create docs). */
const MAX_CHANNEL_NAME = 80;
/** Names tried for a new room: `hot-42`, then `hot-42-2` … `hot-42-5`. */
const ROOM_NAME_TRIES = 5;
/** Users per conversations.invite call (older docs say 30, newer 1000: the smaller is safe). */
const INVITE_BATCH = 30;
/** One request's time limit; retries come on top. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Failures that leave the room as it should be: the person is already in it, or the
 * bot invited itself (conversations.invite errors, slackapi/slack-api-specs
 * web-api/slack_web_openapi_v2.json).
 */
const HARMLESS_INVITE_ERRORS = new Set(["already_in_channel", "cant_invite_self"]);

/**
 * hotdoc's retry schedule in the terms of the WebClient's (the `retry` package behind
 * p-retry): as many attempts, the first backoff, doubling, capped at the longest wait.
 */
function retryConfig(policy: RetryPolicy): RetryOptions {
  return {
    retries: Math.max(0, policy.attempts - 1),
    factor: 2,
    minTimeout: policy.baseMs,
    maxTimeout: policy.maxWaitMs,
    randomize: true,
  };
}

/** The WebClient's log lines, written through hotdoc's logger. */
function slackLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]) =>
    parts
      .map((part) =>
        typeof part === "string"
          ? part
          : part instanceof Error
            ? part.message
            : JSON.stringify(part),
      )
      .join(" ");
  return {
    debug: (...parts: unknown[]) => logger.debug(line(parts)),
    info: (...parts: unknown[]) => logger.info(line(parts)),
    warn: (...parts: unknown[]) => logger.warn(line(parts)),
    error: (...parts: unknown[]) => logger.error(line(parts)),
    // The level is hotdoc's (LOG_LEVEL); the client may not change it.
    setLevel: () => {},
    getLevel: () => LogLevel.DEBUG,
    setName: () => {},
  };
}

/** What the WebClient throws, read loosely (web-api dist/errors.d.ts). */
interface WebClientFailure {
  code?: string;
  message?: string;
  statusCode?: number;
  original?: Error;
  retryAfter?: number;
  data?: WebAPICallResult & { error?: string; errors?: { user?: string; error?: string }[] };
}

/** A WebClient failure as a ChatApiError naming the method, with Slack's status and error code. */
function apiError(method: string, thrown: unknown): ChatApiError {
  if (thrown instanceof ChatApiError) return thrown;
  if (thrown instanceof RetryableError)
    return new ChatApiError("slack", `${method}: rate limited, and kept being`, {
      status: 429,
      code: "ratelimited",
    });
  const failure = (typeof thrown === "object" && thrown !== null ? thrown : {}) as WebClientFailure;
  switch (failure.code) {
    // Slack answered `{"ok": false, "error": …}` (with HTTP 200): the call was understood and refused.
    case ErrorCode.PlatformError:
      return new ChatApiError("slack", `${method}: Slack answered ${failure.data?.error}`, {
        status: 200,
        code: failure.data?.error,
      });
    case ErrorCode.HTTPError:
      return new ChatApiError("slack", `${method}: HTTP ${failure.statusCode}`, {
        status: failure.statusCode,
      });
    case ErrorCode.RateLimitedError:
      return new ChatApiError("slack", `${method}: rate limited`, {
        status: 429,
        code: "ratelimited",
      });
    case ErrorCode.RequestError:
      return new ChatApiError(
        "slack",
        `${method}: ${failure.original?.message ?? failure.message ?? "request failed"}`,
      );
  }
  const message = failure.message ?? String(thrown);
  // Out of retries while rate limited, the client rejects with a plain Error saying so.
  if (/rate limit/i.test(message))
    return new ChatApiError("slack", `${method}: ${message}`, { status: 429, code: "ratelimited" });
  return new ChatApiError("slack", `${method}: ${message}`);
}

/**
 * `text` cut to `max` UTF-16 units with an ellipsis, never between the two halves of
 * a surrogate pair.
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head.trimEnd()}…`;
}

/**
 * Already escaped text as the texts of section blocks: whole lines while they fit in
 * a section, a longer line cut between characters (never inside `&amp;`), and at most
 * a message's worth of blocks, the last saying what was left out.
 */
function sectionTexts(escaped: string): string[] {
  const texts: string[] = [];
  let current = "";
  for (const line of escaped.split("\n")) {
    const joined = current ? `${current}\n${line}` : line;
    if (joined.length <= MAX_SECTION_TEXT) {
      current = joined;
      continue;
    }
    if (current) texts.push(current);
    current = "";
    for (const unit of line.match(/&(?:amp|lt|gt);|[\s\S]/gu) ?? []) {
      if (current.length + unit.length > MAX_SECTION_TEXT) {
        texts.push(current);
        current = "";
      }
      current += unit;
    }
  }
  if (current) texts.push(current);
  const shown = texts.filter((text) => text.trim() !== "");
  if (shown.length <= MAX_BLOCKS) return shown;
  const left = shown.slice(MAX_BLOCKS - 1).reduce((sum, text) => sum + text.length, 0);
  return [...shown.slice(0, MAX_BLOCKS - 1), `… (${left} more characters not shown)`];
}

/**
 * Slack's Web API through the official client (`@slack/web-api`), with the bot token
 * (SLACK_BOT_TOKEN). Every connection goes through the outbound policy's agent, so the
 * API base URL reaches only an address the policy allows. Retries are the client's
 * own: 5xx answers and dropped connections on hotdoc's backoff schedule, and a 429 is
 * waited out for its Retry-After before the next attempt (the client pauses its queue
 * meanwhile); an `{"ok": false}` answer is Slack refusing the call and is not retried.
 *
 * Scopes the bot needs: `chat:write` (post, in rooms the bot is a member of),
 * `channels:manage` (create, topic, invite), `users:read` (people's names) and, to
 * match chat users with people who signed in, `users:read.email` (without it
 * users.info leaves out `profile.email`: https://api.slack.com/scopes/users:read.email).
 */
export class SlackApi implements ChatApi {
  readonly platform = "slack" as const;
  private readonly settings: SlackSettings;
  private readonly deps: PlatformDeps;
  private client?: Promise<WebClient>;

  constructor(settings: SlackSettings, deps: PlatformDeps) {
    this.settings = settings;
    this.deps = deps;
  }

  /**
   * Posts `text` as one message: a `section` block (or several, for long text) with the
   * text as mrkdwn, and the same text as the `text` fallback notifications and screen
   * readers use. Both are escaped, so nothing hotdoc relays is read as a mention or a
   * link; link previews are off. Announcements and replies look the same.
   */
  async post(channel: string, message: OutboundMessage): Promise<void> {
    if (!message.text.trim()) return;
    const text = escapeSlackText(message.text);
    await this.call("chat.postMessage", (client) =>
      client.chat.postMessage({
        channel,
        text,
        blocks: sectionTexts(text).map((section) => ({
          type: "section",
          text: { type: "mrkdwn", text: section },
        })),
        unfurl_links: false,
      }),
    );
  }

  /**
   * Creates a public channel named `name` (lower case), sets its topic and invites the
   * responders. If the name is taken, `name-2`, `name-3`… are tried: Slack keeps the
   * names of archived channels for ever, and a channel someone made by hand, or one
   * left by an earlier hotdoc whose incident keys started again at 1, holds the name
   * just as well; an incident room under a suffixed name is better than none. (Should
   * Slack create the channel but its answer be lost, the client's retry finds the name
   * taken and makes `name-2`: the room returned, and linked, is the one answered for.)
   */
  async createRoom(request: RoomRequest): Promise<CreatedRoom> {
    const base = request.name.toLowerCase();
    let created: { id?: string; name?: string } | undefined;
    let name = base;
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? "" : `-${n}`;
      name = `${base.slice(0, MAX_CHANNEL_NAME - suffix.length)}${suffix}`;
      try {
        created = (
          await this.call("conversations.create", (client) =>
            client.conversations.create({ name, is_private: false }),
          )
        ).channel;
        break;
      } catch (error) {
        if (!(error instanceof ChatApiError && error.code === "name_taken" && n < ROOM_NAME_TRIES))
          throw error;
      }
    }
    if (!created?.id)
      throw new ChatApiError("slack", "conversations.create: the answer names no channel id");
    // The channel exists now: a topic or an invitation that fails must not lose it (it
    // would be left unlinked, and a retry would open a second one).
    const id = created.id;
    await this.setTopic(id, request.topic).catch((error: unknown) =>
      this.deps.logger.warn({ err: error, channel: id }, "could not set the new channel's topic"),
    );
    await this.invite(id, request.invite).catch((error: unknown) =>
      this.deps.logger.warn({ err: error, channel: id }, "could not invite to the new channel"),
    );
    return { channel: id, name: created.name ?? name };
  }

  /** Sets the channel's topic, on one line and cut to Slack's 250 characters with an ellipsis. */
  async setTopic(channel: string, topic: string): Promise<void> {
    const line = cut(topic.replace(/\s*[\r\n]+\s*/g, " ").trim(), MAX_TOPIC);
    await this.call("conversations.setTopic", (client) =>
      client.conversations.setTopic({ channel, topic: line }),
    );
  }

  /**
   * Invites people to the channel. `force` keeps Slack inviting the others when one of
   * them cannot be; people already in the channel, and the bot itself, are not errors.
   */
  async invite(channel: string, users: string[]): Promise<void> {
    const unique = [...new Set(users.map((user) => user.trim()).filter(Boolean))];
    for (let i = 0; i < unique.length; i += INVITE_BATCH) {
      const batch = unique.slice(i, i + INVITE_BATCH);
      await this.call(
        "conversations.invite",
        (client) => client.conversations.invite({ channel, users: batch.join(","), force: true }),
        (failure) => {
          const codes = failure.data?.errors?.map((e) => e.error) ?? [failure.data?.error];
          return codes.every((code) => code !== undefined && HARMLESS_INVITE_ERRORS.has(code));
        },
      );
    }
  }

  /**
   * A person as Slack shows them. The name: the profile's `display_name` (what they
   * chose to be called), else the profile's `real_name`, else the user's `real_name`,
   * else the `name` handle. Slack asks apps to use `display_name` and not the legacy
   * `name` (https://api.slack.com/types/user; the fields as in the users.info example of
   * slackapi/slack-api-specs web-api/slack_web_openapi_v2.json); `display_name` is empty
   * for whoever never set one. A user Slack does not know has neither name nor email.
   *
   * The email (`profile.email`, there only with the `users:read.email` scope) names a
   * signed-in person, so it is given only when Slack vouches for it: the user's
   * `is_email_confirmed` is true (a field of users.info's user in @slack/web-api's
   * UsersInfoResponse and in the recorded users.info answers of slackapi/java-slack-sdk
   * json-logs/samples/api/users.info.json; a missing field counts as not confirmed), and
   * the user is no `is_stranger`, someone of another organisation met in a Slack Connect
   * channel (docs.slack.dev/reference/methods/users.info, "Shared channels"), whose
   * address this workspace never checked. Guests (`is_restricted`,
   * `is_ultra_restricted`) are treated like members: Slack's docs say nothing of their
   * addresses being unchecked, and `is_email_confirmed` covers them too.
   */
  async person(userId: string): Promise<ChatPerson> {
    let user: Awaited<ReturnType<WebClient["users"]["info"]>>["user"];
    try {
      user = (await this.call("users.info", (client) => client.users.info({ user: userId }))).user;
    } catch (error) {
      if (error instanceof ChatApiError && error.code === "user_not_found")
        return { name: null, email: null };
      throw error;
    }
    const names = [
      user?.profile?.display_name,
      user?.profile?.real_name,
      user?.real_name,
      user?.name,
    ];
    const vouched = user?.is_email_confirmed === true && user.is_stranger !== true;
    return {
      name: names.map((name) => name?.trim()).find((name) => !!name) ?? null,
      email: vouched ? user?.profile?.email?.trim() || null : null,
    };
  }

  /**
   * Runs one Web API call, turning the client's failures into ChatApiError. `harmless`
   * says which refusals leave things as they should be (the call then counts as done).
   */
  private async call<T>(method: string, run: (client: WebClient) => Promise<T>): Promise<T>;
  private async call<T>(
    method: string,
    run: (client: WebClient) => Promise<T>,
    harmless: (failure: WebClientFailure) => boolean,
  ): Promise<T | undefined>;
  private async call<T>(
    method: string,
    run: (client: WebClient) => Promise<T>,
    harmless?: (failure: WebClientFailure) => boolean,
  ): Promise<T | undefined> {
    const client = await this.webClient(method);
    try {
      // A 429 is retried here, under the same policy as every other platform (a
      // Retry-After longer than it allows gives up), not by the client, which would
      // pause every call of this client for as long as Slack asks.
      return await withRetries(async () => {
        try {
          return await run(client);
        } catch (error) {
          const limited = error as { code?: string; retryAfter?: number };
          if (limited?.code === ErrorCode.RateLimitedError)
            throw new RetryableError(`${method}: rate limited`, (limited.retryAfter ?? 1) * 1000);
          throw error;
        }
      }, this.deps.retry ?? DEFAULT_RETRY);
    } catch (error) {
      const failure = error as WebClientFailure;
      if (harmless && failure?.code === ErrorCode.PlatformError && harmless(failure))
        return undefined;
      throw apiError(method, error);
    }
  }

  /**
   * The client, made on first use and kept: its agent comes from the outbound policy
   * (asynchronous, as it checks the URL). A refused URL is a ChatApiError whose
   * `cause` is the policy's TargetRefusedError; the next call checks again.
   */
  private webClient(method: string): Promise<WebClient> {
    this.client ??= this.deps.outbound.agentFor(this.settings.apiUrl).then(
      (agent) =>
        new WebClient(this.settings.botToken, {
          slackApiUrl: this.settings.apiUrl,
          agent,
          logger: slackLogger(this.deps.logger),
          retryConfig: retryConfig(this.deps.retry ?? DEFAULT_RETRY),
          rejectRateLimitedCalls: true,
          allowAbsoluteUrls: false,
          timeout: REQUEST_TIMEOUT_MS,
        }),
      (error: Error) => {
        this.client = undefined;
        throw Object.assign(
          new ChatApiError(
            "slack",
            `${method}: the Slack API URL is refused by the outbound policy: ${error.message}`,
            { code: "target_refused" },
          ),
          { cause: error },
        );
      },
    );
    return this.client;
  }
}
