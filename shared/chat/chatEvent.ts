import { z } from "zod";
import { IncidentKeySchema } from "../doc/schema.ts";
import { CHAT_SOURCES } from "../doc/vocabulary.ts";

/** Longest chat message mirrored; longer ones are refused with a reason, not cut. */
export const MAX_CHAT_TEXT = 40_000;

export const ChatPlatformSchema = z.enum(CHAT_SOURCES);
export type ChatPlatform = z.infer<typeof ChatPlatformSchema>;

const id = z.string().trim().min(1).max(300);

/**
 * People the platform mentioned by user id (Slack `<@U0G9QF9C6>`), each with the text
 * that stands for them in `text` (`@U0G9QF9C6`), which becomes `@Their Name` once the
 * platform's API tells the name.
 */
const UserMentions = z
  .array(z.object({ id, text: z.string().min(2).max(320) }))
  .max(100)
  .optional();

/** Where a message was said: the room's id, and its name when the platform sends one. */
const ChatRoomSchema = z.object({
  platform: ChatPlatformSchema,
  channel: id,
  channelName: z.string().trim().max(300).optional(),
});

/**
 * What every adapter turns its platform's payload into: a message posted, edited,
 * deleted, or marked as a key event (a pin reaction). `at` is when it was said.
 */
export const ChatEventSchema = z.discriminatedUnion("action", [
  ChatRoomSchema.extend({
    action: z.literal("post"),
    messageId: id,
    threadId: id.optional(),
    author: z.string().trim().min(1).max(200),
    authorId: z.string().max(300).optional(),
    text: z.string().max(MAX_CHAT_TEXT, `a chat message is at most ${MAX_CHAT_TEXT} characters`),
    /** Names the platform marked as mentions in `text` (Teams `<at>`, Matrix pills), so a name of several words reads as one person. */
    mentions: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    userMentions: UserMentions,
    at: z.iso.datetime({ offset: true }),
    permalink: z.url().optional(),
  }),
  ChatRoomSchema.extend({
    action: z.literal("edit"),
    messageId: id,
    /** Who made the edit, where the platform lets others edit a message (Matrix): an edit by anyone but the message's author is ignored. */
    author: z.string().trim().min(1).max(200).optional(),
    /** The platform's id of whoever made the edit, compared with the message's author id where both are known. */
    authorId: z.string().max(300).optional(),
    text: z.string().max(MAX_CHAT_TEXT, `a chat message is at most ${MAX_CHAT_TEXT} characters`),
    userMentions: UserMentions,
    at: z.iso.datetime({ offset: true }),
  }),
  ChatRoomSchema.extend({
    action: z.literal("delete"),
    messageId: id,
    /** The platform removed the content itself (Matrix redaction), so the text goes too, not only marked deleted. */
    redacted: z.boolean().optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  ChatRoomSchema.extend({
    action: z.literal("pin"),
    messageId: id,
    at: z.iso.datetime({ offset: true }),
  }),
  /** A room told us its name (e.g. Matrix m.room.name), which may link it to an incident. */
  ChatRoomSchema.extend({
    action: z.literal("rename"),
    channelName: z.string().trim().min(1).max(300),
  }),
]);
export type ChatEvent = z.infer<typeof ChatEventSchema>;
export type ChatPost = Extract<ChatEvent, { action: "post" }>;

/**
 * The timeline entry id of a chat message: one entry per platform message, whatever
 * the deliveries. Injective: letters, digits and `.@-` stay, every other character
 * (the `:` separator included) becomes `_<hex>_`, so two different messages never
 * share an id. Ids longer than the schema allows keep a prefix and a hash of the rest.
 */
export function chatEntryId(event: {
  platform: ChatPlatform;
  channel: string;
  messageId: string;
}): string {
  const escapePart = (value: string) =>
    Array.from(value, (char) =>
      /^[A-Za-z0-9.@-]$/.test(char) ? char : `_${char.codePointAt(0)?.toString(16)}_`,
    ).join("");
  const id = `${event.platform}:${escapePart(event.channel)}:${escapePart(event.messageId)}`;
  return id.length <= 200
    ? id
    : `${id.slice(0, 160)}-h${fnv1a(id, 0x811c9dc5)}${fnv1a(id, 0x01000193)}`;
}

/** 32-bit FNV-1a, hex; two seeds give a 64-bit tail for over-long ids. */
function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** Marks what hotdoc posts into a room, so its own announcements are never mirrored back. */
export const ANNOUNCEMENT_MARK = "[hotdoc]";

/**
 * The incident key a room's name designates (`hot-12`, `#HOT-12` → `HOT-12`), if it
 * is shaped like one. A room named after an incident belongs to it: linking such a
 * room elsewhere takes rights on the incident it is named after.
 */
export function incidentKeyInRoomName(name: string | null | undefined): string | null {
  const key = name?.replace(/^#/, "").trim().toUpperCase();
  return key && IncidentKeySchema.safeParse(key).success ? key : null;
}
