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
import { chatTime, parseJson, parsePayload } from "../signatures.ts";

const Payload = z.object({
  token: z.string().min(1),
  team_id: z.string().optional(),
  team_domain: z.string().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  timestamp: z.coerce.number().int().positive(),
  user_id: z.string().optional(),
  user_name: z.string().min(1),
  post_id: z.string().min(1),
  text: z.string().default(""),
  trigger_word: z.string().optional(),
  /** The post's attachments, comma-separated (`strings.Join(post.FileIds, ",")` in Mattermost's app/webhook.go). */
  file_ids: z.string().optional(),
});

/** What the timeline shows for a post that has files and no words. */
function fileOnlyText(fileIds: string | undefined): string | null {
  const count = (fileIds ?? "").split(",").filter((id) => id.trim()).length;
  if (count === 0) return null;
  return count === 1 ? "shared a file" : `shared ${count} files`;
}

/**
 * Mattermost outgoing webhook: form-encoded by default, JSON when configured;
 * authenticated by the shared token. A JSON answer with `text` is posted in the
 * channel, so replies to commands appear there.
 */
export class MattermostAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "mattermost" as const;
  readonly secretVariable = "MATTERMOST_TOKEN";
  readonly repliesInline = true;
  readonly refusesUnlinkedRooms = false;

  handle(delivery: Delivery): Parsed {
    const type = delivery.headers.get("content-type") ?? "";
    const json = type.includes("application/json");
    const body = json
      ? parseJson(delivery.raw)
      : type.includes("application/x-www-form-urlencoded")
        ? Object.fromEntries(new URLSearchParams(delivery.raw.toString("utf8")))
        : (() => {
            throw new HotdocError(
              "invalid_payload",
              "send application/x-www-form-urlencoded or application/json",
            );
          })();
    const token =
      typeof (body as { token?: unknown })?.token === "string"
        ? (body as { token: string }).token
        : "";
    if (!secretsEqual(token, this.secret))
      throw new HotdocError("signature_invalid", "the outgoing webhook token does not match");
    const post = parsePayload(Payload, body);
    if (post.text.startsWith(ANNOUNCEMENT_MARK)) return { events: [] };
    // A post with files and no words is still something said in the room; one with
    // neither (Mattermost sends every post of the channel) has nothing to mirror, and
    // refusing it would only make the webhook look broken.
    const text = post.text.trim() ? post.text : fileOnlyText(post.file_ids);
    if (text === null) return { events: [] };
    const event: ChatEvent = {
      action: "post",
      platform: "mattermost",
      channel: post.channel_id,
      channelName: post.channel_name,
      messageId: post.post_id,
      author: post.user_name,
      authorId: post.user_id,
      text,
      // The same post's CreateAt goes out in milliseconds as JSON but in seconds as a
      // form (`ToFormValues` divides by 1000: server/public/model/outgoing_webhook.go).
      at: chatTime(json ? post.timestamp : post.timestamp * 1000, delivery.now, "timestamp"),
    };
    return { events: [event] };
  }

  answer(replies: string[]): AdapterAnswer {
    return {
      status: 200,
      body: replies.length ? { text: `${ANNOUNCEMENT_MARK} ${replies.join("\n")}` } : {},
    };
  }
}
