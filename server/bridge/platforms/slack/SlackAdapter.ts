import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent, MAX_CHAT_TEXT } from "#shared/chat/chatEvent.ts";
import { HotdocError } from "../../../errors.ts";
import { secretsEqual } from "../../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
  type SlashCommand,
} from "../../ChatAdapter.ts";
import { checkTimestamp, hmac, parseJson, parsePayload, secondsToIso } from "../../signatures.ts";
import { escapeSlackText, readableContent, type UserMention } from "./slackText.ts";

/** Slack message timestamps: unix seconds with microseconds, always a string ("1355517523.000005"). */
const Ts = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,9})?$/, "a Slack timestamp looks like 1355517523.000005");

/**
 * What a message carries besides `text`: alerting bots often post only legacy
 * attachments or Block Kit blocks, and a file shared without a comment has only its
 * files. Read loosely: their inner shapes vary by app and are only mined for text.
 */
const Content = {
  text: z.string().default(""),
  attachments: z.array(z.looseObject({})).optional(),
  blocks: z.array(z.looseObject({})).optional(),
  files: z.array(z.looseObject({})).optional(),
};

const MessageEvent = z.object({
  type: z.literal("message"),
  channel: z.string().min(1),
  user: z.string().optional(),
  username: z.string().optional(),
  bot_id: z.string().optional(),
  ...Content,
  ts: Ts.optional(),
  thread_ts: Ts.optional(),
  subtype: z.string().optional(),
  event_ts: Ts.optional(),
  message: z
    .object({
      ts: Ts,
      ...Content,
      edited: z.object({ ts: Ts }).optional(),
      bot_id: z.string().optional(),
    })
    .optional(),
  previous_message: z.object(Content).optional(),
  deleted_ts: Ts.optional(),
});

const ReactionEvent = z.object({
  type: z.literal("reaction_added"),
  reaction: z.string(),
  event_ts: Ts,
  item: z.object({ type: z.string(), channel: z.string().min(1), ts: Ts }),
});

const Envelope = z.discriminatedUnion("type", [
  z.object({ type: z.literal("url_verification"), challenge: z.string().min(1).max(500) }),
  /** Sent instead of events while Slack holds deliveries back (https://api.slack.com/events/app_rate_limited). */
  z.object({
    type: z.literal("app_rate_limited"),
    team_id: z.string().optional(),
    minute_rate_limited: z.number().optional(),
  }),
  z.object({
    type: z.literal("event_callback"),
    event_id: z.string().min(1),
    event_time: z.number(),
    team_id: z.string().min(1),
    event: z.looseObject({ type: z.string() }),
  }),
]);

const SlackId = z.string().trim().min(1).max(300);

/**
 * A slash command's form fields, as https://api.slack.com/interactivity/slash-commands
 * ("app_command_handling") lists them. Slack always sends `text`, empty when nothing
 * follows the command; `trigger_id` identifies the invocation.
 */
const SlashCommandForm = z.object({
  command: z.string().regex(/^\/\S+$/, "a slash command looks like /hotdoc"),
  text: z.string().max(MAX_CHAT_TEXT),
  channel_id: SlackId,
  channel_name: z.string().max(300),
  user_id: SlackId,
  user_name: z.string().trim().min(1).max(200),
  team_id: SlackId,
  trigger_id: SlackId,
});

/** `userMentions` on an event only when there are some, so events without mentions keep their shape. */
function withMentions(userMentions: UserMention[]): { userMentions?: UserMention[] } {
  return userMentions.length > 0 ? { userMentions } : {};
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(secret: string, timestamp: number, raw: Buffer): string {
  return `v0=${hmac(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), raw]), "hex")}`;
}

/** Subtypes that are people or other bots talking; joins, topic changes and the like are not mirrored. */
const TALK = new Set([undefined, "thread_broadcast", "file_share", "bot_message", "me_message"]);

/**
 * Slack Events API: `X-Slack-Signature` is `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * with the signing secret, refused outside a 5-minute window; the url_verification
 * challenge is echoed; retries are harmless because every message mirrors once by its ts.
 */
export class SlackAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "slack" as const;
  readonly secretVariable = "SLACK_SIGNING_SECRET";
  readonly repliesInline = false;
  readonly refusesUnlinkedRooms = false;
  private readonly ownBotId?: string;

  constructor(secret?: string, ownBotId?: string) {
    super(secret);
    this.ownBotId = ownBotId;
  }

  /** Checks `X-Slack-Signature` over the raw body, the same for Events API requests and slash commands. */
  private verify(delivery: Delivery): void {
    const timestamp = checkTimestamp(
      delivery.headers.get("x-slack-request-timestamp"),
      delivery.now,
    );
    const signature = delivery.headers.get("x-slack-signature") ?? "";
    const expected = slackSignature(this.secret, timestamp, delivery.raw);
    if (!secretsEqual(signature, expected))
      throw new HotdocError("signature_invalid", "X-Slack-Signature does not match the body");
  }

  handle(delivery: Delivery): Parsed {
    this.verify(delivery);
    const envelope = parsePayload(Envelope, parseJson(delivery.raw));
    if (envelope.type === "url_verification")
      return { events: [], answer: { status: 200, body: { challenge: envelope.challenge } } };
    // Acknowledged like any delivery: answering errors is what gets an app's
    // subscriptions disabled. Logged, because events of that minute were dropped by Slack.
    if (envelope.type === "app_rate_limited") {
      const since =
        envelope.minute_rate_limited === undefined
          ? ""
          : ` since ${new Date(envelope.minute_rate_limited * 1000).toISOString()}`;
      return {
        events: [],
        skipped: [
          `app_rate_limited: Slack is holding back event deliveries for team ${envelope.team_id ?? "?"}${since}; messages of that time are not mirrored`,
        ],
      };
    }
    const skipped: string[] = [];
    const events = this.events(envelope.event, delivery.now, skipped);
    return skipped.length > 0 ? { events, skipped } : { events };
  }

  private events(raw: { type: string }, now: number, skipped: string[]): ChatEvent[] {
    if (raw.type === "reaction_added") {
      const reaction = parsePayload(ReactionEvent, raw);
      if (
        reaction.item.type !== "message" ||
        !["pushpin", "round_pushpin"].includes(reaction.reaction)
      )
        return [];
      return [
        {
          action: "pin",
          platform: "slack",
          channel: reaction.item.channel,
          messageId: reaction.item.ts,
          at: secondsToIso(reaction.event_ts, now, "event.event_ts"),
        },
      ];
    }
    if (raw.type !== "message") return [];
    const event = parsePayload(MessageEvent, raw);
    const base = { platform: "slack" as const, channel: event.channel };
    if (event.subtype === "message_changed" && event.message) {
      const { text, userMentions } = readableContent(event.message);
      // A link unfurl (or a language tag) re-sends the message with only its
      // attachments or metadata changed: nothing anyone said changed, so no edit.
      if (event.previous_message && readableContent(event.previous_message).text === text)
        return [];
      if (!text) {
        skipped.push(`message_changed ${event.message.ts}: nothing readable left in the message`);
        return [];
      }
      return [
        {
          ...base,
          action: "edit",
          messageId: event.message.ts,
          text,
          ...withMentions(userMentions),
          at: secondsToIso(
            event.message.edited?.ts ?? event.event_ts ?? event.message.ts,
            now,
            "event.message.edited.ts",
          ),
        },
      ];
    }
    if (event.subtype === "message_deleted" && event.deleted_ts) {
      return [
        {
          ...base,
          action: "delete",
          messageId: event.deleted_ts,
          at: secondsToIso(event.event_ts ?? event.deleted_ts, now, "event.event_ts"),
        },
      ];
    }
    if (!TALK.has(event.subtype) || !event.ts) return [];
    if (
      event.text.startsWith(ANNOUNCEMENT_MARK) ||
      (this.ownBotId && event.bot_id === this.ownBotId)
    )
      return [];
    const { text, userMentions } = readableContent(event);
    if (!text) {
      // Acknowledged, not refused: Slack redelivers refused events for hours.
      skipped.push(`message ${event.ts}: no text, attachment, block or file name to mirror`);
      return [];
    }
    const author = event.user ?? event.username ?? event.bot_id;
    if (!author)
      throw new HotdocError(
        "invalid_payload",
        "event.user: a message needs an author",
        "event.user",
      );
    return [
      {
        ...base,
        action: "post",
        messageId: event.ts,
        threadId: event.thread_ts && event.thread_ts !== event.ts ? event.thread_ts : undefined,
        author,
        authorId: event.user,
        text,
        ...withMentions(userMentions),
        at: secondsToIso(event.ts, now, "event.ts"),
      },
    ];
  }

  answer(): AdapterAnswer {
    return { status: 200, body: { ok: true } };
  }

  /**
   * A `/hotdoc …` slash command: a form-encoded POST signed exactly like Events API
   * requests (https://api.slack.com/authentication/verifying-requests-from-slack), read
   * from the fields https://api.slack.com/interactivity/slash-commands documents.
   */
  handleCommand(delivery: Delivery): SlashCommand {
    this.verify(delivery);
    const type = delivery.headers.get("content-type") ?? "";
    if (!type.includes("application/x-www-form-urlencoded"))
      throw new HotdocError(
        "invalid_payload",
        "a Slack slash command is sent as application/x-www-form-urlencoded",
      );
    const form = parsePayload(
      SlashCommandForm,
      Object.fromEntries(new URLSearchParams(delivery.raw.toString("utf8"))),
    );
    return {
      platform: "slack",
      channel: form.channel_id,
      channelName: form.channel_name || undefined,
      userId: form.user_id,
      userName: form.user_name,
      // "All text in Slack uses the same system of escaping" (slackhq/slack-api-docs
      // page_formatting.md): with "Escape channels, users, and links" on, the words come
      // as `<@U…|bob>` and `&gt;`; read them as the person typed them.
      text: readableContent({ text: form.text }).text,
      id: form.trigger_id,
      at: new Date(delivery.now).toISOString(),
    };
  }

  /**
   * The answer Slack shows in the room the command was typed in: `response_type:
   * "in_channel"` makes it visible to everyone there, not only to whoever typed it
   * (https://api.slack.com/interactivity/slash-commands, "Sending an immediate response").
   * `&`, `<` and `>` are escaped as for any text sent to Slack.
   */
  commandAnswer(text: string): AdapterAnswer {
    // Marked like every post of hotdoc's, so an in-channel answer that comes back as a message is not mirrored.
    const marked = text.startsWith(ANNOUNCEMENT_MARK) ? text : `${ANNOUNCEMENT_MARK} ${text}`;
    return { status: 200, body: { response_type: "in_channel", text: escapeSlackText(marked) } };
  }
}
