import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent } from "../../../shared/chat/chatEvent.ts";
import { HotdocError } from "../../errors.ts";
import { type AdapterAnswer, type ChatAdapter, type Delivery, type Parsed, SecretAdapter } from "../ChatAdapter.ts";
import { hmac, parseJson, parsePayload, sameSecret } from "../signatures.ts";

const Activity = z.looseObject({
  type: z.string(),
  id: z.string().min(1),
  timestamp: z.string().nullish(),
  localTimestamp: z.string().nullish(),
  text: z.string().nullish(),
  from: z.looseObject({ id: z.string().nullish(), name: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1), name: z.string().nullish() }),
  channelData: z
    .looseObject({
      channel: z.looseObject({ id: z.string().min(1), name: z.string().nullish() }).nullish(),
      teamsChannelId: z.string().nullish(),
    })
    .nullish(),
});

/** Teams sends HTML: the bot mention and tags go, entities are decoded. */
export function teamsText(html: string): string {
  return html
    .replace(/<at>[^<]*<\/at>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Microsoft Teams outgoing webhook: a Bot Framework activity; `Authorization: HMAC
 * <base64 HMAC-SHA256 of the raw body keyed with the base64-decoded secret>`. There
 * is no timestamp, so a retry is recognised by the activity id; the answer (a message
 * activity, within 5 s) is shown in the channel.
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
    if (!sameSecret(given, hmac(this.key, delivery.raw, "base64"))) {
      throw new HotdocError("signature_invalid", "the HMAC in Authorization does not match the body");
    }
    const activity = parsePayload(Activity, parseJson(delivery.raw));
    if (activity.type !== "message") return { events: [] };
    const text = teamsText(activity.text ?? "");
    if (text.startsWith(ANNOUNCEMENT_MARK)) return { events: [] };
    const channel = activity.channelData?.channel?.id ?? activity.channelData?.teamsChannelId ?? activity.conversation.id.split(";")[0];
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
      at: new Date(activity.timestamp ?? activity.localTimestamp ?? Date.now()).toISOString(),
    };
    return { events: [event] };
  }

  answer(replies: string[]): AdapterAnswer {
    return { status: 200, body: { type: "message", text: replies.length ? `${ANNOUNCEMENT_MARK} ${replies.join("\n\n")}` : "" } };
  }
}
