import { z } from "zod";
import { type ChatEvent, MAX_CHAT_TEXT } from "#shared/chat/chatEvent.ts";
import { HotdocError } from "../../../errors.ts";
import { secretsEqual } from "../../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
} from "../../ChatAdapter.ts";
import { chatTime, checkTimestamp, hmac, parseJson, parsePayload } from "../../signatures.ts";

/**
 * The generic webhook, for alerting tools and bots (documented in the README):
 *
 *   POST /hooks/generic
 *   X-Hotdoc-Timestamp: <unix seconds>
 *   X-Hotdoc-Signature: v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>.<raw body>")>
 *   { "id": "alert-123", "channel": "alerts", "channelName"?: "hot-12", "author": "Grafana",
 *     "text": "...", "at"?: ISO time, "action"?: "post"|"edit"|"delete"|"pin", "threadId"?: "..." }
 */
const GenericPayload = z
  .object({
    id: z.string().trim().min(1).max(300),
    channel: z.string().trim().min(1).max(300),
    channelName: z.string().trim().max(300).optional(),
    author: z.string().trim().min(1).max(200).optional(),
    text: z.string().max(MAX_CHAT_TEXT, `text is at most ${MAX_CHAT_TEXT} characters`).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
    action: z.enum(["post", "edit", "delete", "pin"]).default("post"),
    threadId: z.string().trim().min(1).max(300).optional(),
  })
  .strict();

export class GenericAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "webhook" as const;
  readonly secretVariable = "WEBHOOK_SECRET";
  readonly repliesInline = true;
  readonly refusesUnlinkedRooms = true;

  handle(delivery: Delivery): Parsed {
    const timestamp = checkTimestamp(delivery.headers.get("x-hotdoc-timestamp"), delivery.now);
    const expected = `v1=${hmac(this.secret, Buffer.concat([Buffer.from(`${timestamp}.`), delivery.raw]), "hex")}`;
    if (!secretsEqual(delivery.headers.get("x-hotdoc-signature") ?? "", expected)) {
      throw new HotdocError("signature_invalid", "X-Hotdoc-Signature does not match the body");
    }
    const body = parsePayload(GenericPayload, parseJson(delivery.raw));
    const base = {
      platform: "webhook" as const,
      channel: body.channel,
      channelName: body.channelName,
      messageId: body.id,
    };
    const at =
      body.at === undefined
        ? new Date(delivery.now).toISOString()
        : chatTime(Date.parse(body.at), delivery.now, "at");
    let event: ChatEvent;
    if (body.action === "post" || body.action === "edit") {
      if (body.text === undefined)
        throw new HotdocError("invalid_payload", "text: required to post or edit", "text");
      event =
        body.action === "post"
          ? {
              ...base,
              action: "post",
              author: body.author ?? "webhook",
              text: body.text,
              at,
              threadId: body.threadId,
            }
          : { ...base, action: "edit", text: body.text, at };
    } else {
      event = { ...base, action: body.action, at };
    }
    return { events: [event] };
  }

  answer(replies: string[]): AdapterAnswer {
    return { status: 200, body: { ok: true, replies } };
  }
}
