import crypto from "node:crypto";
import { z } from "zod";
import { ANNOUNCEMENT_MARK, type ChatEvent, ChatEventSchema } from "#shared/chat/chatEvent.ts";
import { describeIssues } from "#shared/errors.ts";
import { bearerToken } from "../../../access/bearerToken.ts";
import { HotdocError } from "../../../errors.ts";
import { secretsEqual } from "../../../secrets.ts";
import {
  type AdapterAnswer,
  type ChatAdapter,
  type Delivery,
  type Parsed,
  SecretAdapter,
} from "../../ChatAdapter.ts";
import { chatTime, parseJson, parsePayload } from "../../signatures.ts";

const Relation = z
  .object({
    rel_type: z.string().optional(),
    event_id: z.string().optional(),
    key: z.string().optional(),
    "m.in_reply_to": z.looseObject({ event_id: z.string().optional() }).optional(),
  })
  .optional();

/**
 * A rich reply's fallback quote stripped, as the spec requires of a client that renders
 * the reply (matrix-org/matrix-spec content/client-server-api/modules/rich_replies.md,
 * "Stripping the fallback"): from the body, the leading lines that start with "> " (and
 * the blank line after them); from the formatted body, the whole `mx-reply` element. The
 * quote is the replied-to message, which is in the timeline already, and may not be what
 * it said (the fallback is the replier's copy).
 */
function withoutReplyFallback(body: string, formatted: string | undefined) {
  const lines = body.split("\n");
  let first = 0;
  while (first < lines.length && lines[first].startsWith("> ")) first++;
  if (first > 0 && first < lines.length && lines[first] === "") first++;
  return {
    body: first > 0 ? lines.slice(first).join("\n") : body,
    formatted: formatted?.replace(/<mx-reply>[\s\S]*?<\/mx-reply>/gi, ""),
  };
}

const RoomEvent = z.looseObject({
  type: z.string(),
  event_id: z.string().min(1),
  room_id: z.string().min(1),
  sender: z.string().min(1),
  origin_server_ts: z.number().int().positive(),
  content: z.looseObject({}).default({}),
  redacts: z.string().optional(),
});

const Transaction = z.object({ events: z.array(z.unknown()).max(1000) });

const MessageContent = z.looseObject({
  msgtype: z.string().optional(),
  body: z.string().default(""),
  formatted_body: z.string().optional(),
  "m.relates_to": Relation,
  "m.new_content": z.looseObject({ body: z.string() }).optional(),
});

/** A user id in a body (`@bob:example.org`, a port allowed), not ending in the sentence's full stop. */
const USER_ID = /@[A-Za-z0-9._=\-/+]+:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d+)?/g;
/** A mention pill in `formatted_body`: a matrix.to link to a user, its text the display name. */
const PILL = /<a\s[^>]*href=["']https:\/\/matrix\.to\/#\/(@[^"'?/]+)[^"']*["'][^>]*>([^<]*)<\/a>/gi;

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * Mentions made readable: a user id in the body becomes `@` and the display name its
 * pill gives (clients write the pill's text in the body, so that is already readable),
 * else `@` and its localpart. The names are returned, so `im Ana Diaz` reads as one person.
 */
function readableMentions(body: string, formatted: string | undefined) {
  const names = new Map<string, string>();
  for (const [, href, label] of (formatted ?? "").matchAll(PILL)) {
    let id = href;
    try {
      id = decodeURIComponent(href);
    } catch {
      // a malformed escape: keep the id as written
    }
    const name = decodeEntities(label).trim();
    if (name) names.set(id, name.replace(/^@/, ""));
  }
  const mentions = new Set<string>();
  // By user id too, so the profile's display name can stand for them where the API is set up.
  const userMentions = new Map<string, string>();
  const text = body.replace(USER_ID, (id) => {
    const pill = names.get(id);
    const name = pill && pill !== id.slice(1) ? pill : id.slice(1, id.indexOf(":"));
    mentions.add(name);
    userMentions.set(id, `@${name}`);
    return `@${name}`;
  });
  for (const name of names.values()) if (!name.includes(":")) mentions.add(name);
  return {
    text,
    mentions: [...mentions],
    userMentions: [...userMentions].map(([id, text]) => ({ id, text })),
  };
}

/**
 * Matrix application service: the homeserver PUTs transactions of room events,
 * authenticated with the homeserver token (Authorization: Bearer, or the legacy
 * access_token query parameter). A transaction id is applied once (the spec: the
 * homeserver retries with the same id and the application service "can NO-OP this
 * request"), durably; each event also mirrors once by its event_id.
 */
export class MatrixAdapter extends SecretAdapter implements ChatAdapter {
  readonly platform = "matrix" as const;
  readonly secretVariable = "MATRIX_HS_TOKEN";
  readonly repliesInline = false;
  readonly refusesUnlinkedRooms = false;

  handle(delivery: Delivery): Parsed {
    const given =
      bearerToken(delivery.headers.get("authorization")) ??
      delivery.query.get("access_token") ??
      "";
    if (!secretsEqual(given, this.secret))
      throw new HotdocError("signature_invalid", "the homeserver token does not match");
    if (!/^[A-Za-z0-9._~-]{1,255}$/.test(delivery.params.txnId ?? ""))
      throw new HotdocError("invalid_payload", "malformed txnId", "txnId");
    const transaction = parsePayload(Transaction, parseJson(delivery.raw));
    // The homeserver retries a refused transaction for ever, holding every later event
    // behind it: one event we cannot read is left out (and reported), never the batch.
    const events: ChatEvent[] = [];
    const skipped: string[] = [];
    transaction.events.forEach((raw, index) => {
      try {
        for (const event of this.event(parsePayload(RoomEvent, raw), delivery.now)) {
          const valid = ChatEventSchema.safeParse(event);
          if (valid.success) events.push(valid.data);
          else skipped.push(`event ${index}: ${describeIssues(valid.error.issues).message}`);
        }
      } catch (error) {
        skipped.push(`event ${index}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    const digest = crypto.createHash("sha256").update(delivery.raw).digest("hex");
    return { events, skipped, transaction: { id: delivery.params.txnId, digest } };
  }

  private event(event: z.infer<typeof RoomEvent>, now: number): ChatEvent[] {
    const base = { platform: "matrix" as const, channel: event.room_id };
    const at = chatTime(event.origin_server_ts, now, "origin_server_ts");
    switch (event.type) {
      case "m.room.message": {
        const content = parsePayload(MessageContent, event.content);
        const relation = content["m.relates_to"];
        if (relation?.rel_type === "m.replace" && relation.event_id) {
          return [
            {
              ...base,
              action: "edit",
              messageId: relation.event_id,
              author: event.sender,
              authorId: event.sender,
              text: content["m.new_content"]?.body ?? content.body.replace(/^\* /, ""),
              at,
            },
          ];
        }
        const reply = relation?.["m.in_reply_to"]
          ? withoutReplyFallback(content.body, content.formatted_body)
          : { body: content.body, formatted: content.formatted_body };
        if (reply.body.startsWith(ANNOUNCEMENT_MARK)) return [];
        const { text, mentions, userMentions } = readableMentions(reply.body, reply.formatted);
        return [
          {
            ...base,
            action: "post",
            messageId: event.event_id,
            threadId: relation?.rel_type === "m.thread" ? relation.event_id : undefined,
            author: event.sender,
            authorId: event.sender,
            text,
            mentions: mentions.length ? mentions : undefined,
            userMentions: userMentions.length ? userMentions : undefined,
            at,
          },
        ];
      }
      case "m.room.redaction": {
        const target = event.redacts ?? (event.content as { redacts?: unknown }).redacts;
        return typeof target === "string"
          ? [{ ...base, action: "delete", messageId: target, redacted: true, at }]
          : [];
      }
      case "m.reaction": {
        const relation = parsePayload(
          Relation,
          (event.content as Record<string, unknown>)["m.relates_to"],
        );
        return relation?.rel_type === "m.annotation" &&
          relation.event_id &&
          relation.key?.startsWith("📌")
          ? [{ ...base, action: "pin", messageId: relation.event_id, at }]
          : [];
      }
      case "m.room.name": {
        const name = (event.content as { name?: unknown }).name;
        return typeof name === "string" && name.trim()
          ? [{ ...base, action: "rename", channelName: name }]
          : [];
      }
      case "m.room.pinned_events": {
        // The state event carries the whole list of pinned ids; each is marked a key event
        // (marking one twice changes nothing). An unpin is a list without it, which the
        // timeline does not follow: a key event stays one.
        const pinned = (event.content as { pinned?: unknown }).pinned;
        return Array.isArray(pinned)
          ? pinned
              .filter((id): id is string => typeof id === "string" && id.length > 0)
              .map((messageId) => ({ ...base, action: "pin" as const, messageId, at }))
          : [];
      }
      default:
        return [];
    }
  }

  answer(): AdapterAnswer {
    return { status: 200, body: {} };
  }
}
