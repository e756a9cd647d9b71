import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent } from "#shared/chat/chatEvent.ts";
import { HotdocError } from "../../../errors.ts";
import { secretsEqual } from "../../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
} from "../../ChatAdapter.ts";
import { hmac, MAX_CLOCK_SKEW_MS, parseJson, parsePayload } from "../../signatures.ts";

const Activity = z.looseObject({
  type: z.string(),
  id: z.string().min(1),
  timestamp: z.string().nullish(),
  localTimestamp: z.string().nullish(),
  text: z.string().nullish(),
  from: z.looseObject({ id: z.string().nullish(), name: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1), name: z.string().nullish() }),
  recipient: z.looseObject({ name: z.string().nullish() }).nullish(),
  channelData: z
    .looseObject({
      channel: z.looseObject({ id: z.string().min(1), name: z.string().nullish() }).nullish(),
      teamsChannelId: z.string().nullish(),
    })
    .nullish(),
});

/** Bot Framework times: ISO 8601 with an offset, up to 7 fractional digits ("2017-02-01T21:10:07.437Z"). */
const IsoTime = z.iso.datetime({ offset: true });

function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

const MENTION = /<at>([^<]*)<\/at>/gi;

/**
 * Teams sends HTML with mentions as `<at>Name</at>`: the webhook's own mention goes
 * (the one naming the recipient, or, when the activity names none, the one the message
 * opens with: an outgoing webhook is called by @mentioning it), every other one becomes
 * `@Name`, tags go and entities are decoded. The names mentioned are returned too, so
 * `im <at>Ana Diaz</at>` reads as one person.
 */
function teamsText(
  html: string,
  botName: string | undefined,
): { text: string; mentions: string[] } {
  const mentions: string[] = [];
  const text = decodeEntities(
    html
      .replace(MENTION, (_tag, inner: string, offset: number) => {
        const raw = inner.trim().replace(/^@/, "");
        const name = decodeEntities(raw).trim();
        const own = botName
          ? name === botName
          : html
              .slice(0, offset)
              .replace(/<[^>]+>/g, "")
              .trim() === "";
        if (own || !name) return "";
        mentions.push(name);
        return `@${raw}`;
      })
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<\/(p|div)>/gi, "\n")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { text, mentions };
}

/**
 * Microsoft Teams outgoing webhook: a Bot Framework activity; `Authorization: HMAC
 * <base64 HMAC-SHA256 of the raw body keyed with the base64-decoded secret>`. The
 * signature has no timestamp, so the activity's own `timestamp` bounds replays; a
 * retry is recognised by the activity id; the answer (a message activity, within
 * 5 s) is shown in the channel.
 */
export class TeamsAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "teams" as const;
  readonly secretVariable = "TEAMS_SECRET";
  readonly repliesInline = true;
  readonly refusesUnlinkedRooms = false;
  /** The HMAC key is the base64-decoded secret Teams shows when the webhook is created. */
  private readonly key: Buffer;

  constructor(secret?: string) {
    super(secret);
    this.key = Buffer.from(this.secret, "base64");
  }

  handle(delivery: Delivery): Parsed {
    const given = /^HMAC\s+(\S+)$/i.exec(delivery.headers.get("authorization") ?? "")?.[1] ?? "";
    if (!secretsEqual(given, hmac(this.key, delivery.raw, "base64"))) {
      throw new HotdocError(
        "signature_invalid",
        "the HMAC in Authorization does not match the body",
      );
    }
    const activity = parsePayload(Activity, parseJson(delivery.raw));
    const sent = this.sentAt(activity, delivery.now);
    if (activity.type !== "message") return { events: [] };
    const { text, mentions } = teamsText(
      activity.text ?? "",
      activity.recipient?.name ?? undefined,
    );
    if (text.startsWith(ANNOUNCEMENT_MARK)) return { events: [] };
    const channel =
      activity.channelData?.channel?.id ??
      activity.channelData?.teamsChannelId ??
      activity.conversation.id.split(";")[0];
    const threadId = /;messageid=(\d+)/.exec(activity.conversation.id)?.[1];
    const event: ChatEvent = {
      action: "post",
      platform: "teams",
      channel,
      channelName: activity.channelData?.channel?.name ?? activity.conversation.name ?? undefined,
      messageId: activity.id,
      threadId: threadId && threadId !== activity.id ? threadId : undefined,
      author: activity.from.name,
      authorId: activity.from.id ?? undefined,
      text,
      mentions: mentions.length ? mentions : undefined,
      at: sent,
    };
    return { events: [event] };
  }

  /**
   * The activity's own time, which also bounds replays: the HMAC covers the body but
   * nothing in it expires, so a captured activity could be sent again for ever. One
   * further than the Slack window from now is refused (`timestamp_stale`), an
   * unparseable or missing one is `invalid_payload`.
   */
  private sentAt(activity: z.infer<typeof Activity>, now: number): string {
    const stamp = activity.timestamp ?? activity.localTimestamp;
    if (!stamp)
      throw new HotdocError(
        "invalid_payload",
        "timestamp: an activity needs its timestamp",
        "timestamp",
      );
    const ms = IsoTime.safeParse(stamp).success ? Date.parse(stamp) : Number.NaN;
    if (!Number.isFinite(ms))
      throw new HotdocError("invalid_payload", "timestamp: not an ISO 8601 time", "timestamp");
    if (Math.abs(now - ms) > MAX_CLOCK_SKEW_MS) {
      throw new HotdocError(
        "timestamp_stale",
        "the activity's timestamp is more than 5 minutes away from the server clock",
      );
    }
    return new Date(ms).toISOString();
  }

  answer(replies: string[]): AdapterAnswer {
    return {
      status: 200,
      body: {
        type: "message",
        text: replies.length ? `${ANNOUNCEMENT_MARK} ${replies.join("\n\n")}` : "",
      },
    };
  }
}
