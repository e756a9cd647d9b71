import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent } from "#shared/chat/chatEvent.ts";
import { HotdocError } from "../../errors.ts";
import { secretsEqual } from "../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
} from "../ChatAdapter.ts";
import { checkTimestamp, hmac, parseJson, parsePayload, secondsToIso } from "../signatures.ts";

/** Slack message timestamps: unix seconds with microseconds, always a string ("1355517523.000005"). */
const Ts = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,9})?$/, "a Slack timestamp looks like 1355517523.000005");

const MessageEvent = z.object({
  type: z.literal("message"),
  channel: z.string().min(1),
  user: z.string().optional(),
  username: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(""),
  ts: Ts.optional(),
  thread_ts: Ts.optional(),
  subtype: z.string().optional(),
  event_ts: Ts.optional(),
  message: z
    .object({
      ts: Ts,
      text: z.string().default(""),
      edited: z.object({ ts: Ts }).optional(),
      bot_id: z.string().optional(),
    })
    .optional(),
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
  z.object({
    type: z.literal("event_callback"),
    event_id: z.string().min(1),
    event_time: z.number(),
    team_id: z.string().min(1),
    event: z.looseObject({ type: z.string() }),
  }),
]);

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

  handle(delivery: Delivery): Parsed {
    const timestamp = checkTimestamp(
      delivery.headers.get("x-slack-request-timestamp"),
      delivery.now,
    );
    const signature = delivery.headers.get("x-slack-signature") ?? "";
    const expected = slackSignature(this.secret, timestamp, delivery.raw);
    if (!secretsEqual(signature, expected))
      throw new HotdocError("signature_invalid", "X-Slack-Signature does not match the body");
    const envelope = parsePayload(Envelope, parseJson(delivery.raw));
    if (envelope.type === "url_verification")
      return { events: [], answer: { status: 200, body: { challenge: envelope.challenge } } };
    return { events: this.events(envelope.event, delivery.now) };
  }

  private events(raw: { type: string }, now: number): ChatEvent[] {
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
      return [
        {
          ...base,
          action: "edit",
          messageId: event.message.ts,
          text: event.message.text,
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
        text: event.text,
        at: secondsToIso(event.ts, now, "event.ts"),
      },
    ];
  }

  answer(): AdapterAnswer {
    return { status: 200, body: { ok: true } };
  }
}
