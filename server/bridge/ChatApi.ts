import type { ChatPlatform } from "#shared/chat/chatEvent.ts";

/**
 * A chat platform's own API, used when its credentials are configured: hotdoc talks
 * in rooms, opens an incident's room, keeps its topic true and learns who people are
 * through it. Every method retries on 429 and 5xx (honouring Retry-After) and throws
 * ChatApiError once it gives up; callers never await one on a document's write path.
 */
export interface ChatApi {
  readonly platform: ChatPlatform;
  /** Posts a message into a room; `lines` are already prefixed with the announcement mark where needed. */
  post(channel: string, message: OutboundMessage): Promise<void>;
  /** Creates a public room named `name` (lower-case incident key, e.g. `hot-42`), with a topic, inviting `invite` (platform user ids). */
  createRoom(request: RoomRequest): Promise<CreatedRoom>;
  /** Sets a room's topic (Slack topic, Matrix m.room.topic, Mattermost header). */
  setTopic(channel: string, topic: string): Promise<void>;
  /** Invites people (platform user ids) to a room; people already in it are not an error. */
  invite(channel: string, users: string[]): Promise<void>;
  /**
   * Who a platform user id is (Slack U…, Matrix @u:server, Mattermost user id or
   * username): their display name and, where the platform tells it, their email; a
   * field is null when the platform does not know or does not say.
   */
  person(userId: string): Promise<ChatPerson>;
}

/** A chat user as their platform describes them. */
export interface ChatPerson {
  name: string | null;
  /** As the platform gives it (not lower-cased); null when it gives none. */
  email: string | null;
}

export interface OutboundMessage {
  /** Plain text, one line per item; the platform client formats it (blocks, HTML, Markdown). */
  text: string;
  /** An announcement of the document's events, or a reply to a command said in the room. */
  kind: "announcement" | "reply";
}

export interface RoomRequest {
  /** The room's name: the incident key in lower case (`hot-42`). */
  name: string;
  topic: string;
  invite: string[];
}

export interface CreatedRoom {
  /** The platform's room id (Slack C…, Matrix !room:server, Mattermost channel id). */
  channel: string;
  /** The name the room got (a platform may have refused the first choice). */
  name: string;
}

/** A platform API call that failed for good (after retries), with the platform's reason. */
export class ChatApiError extends Error {
  readonly platform: ChatPlatform;
  readonly status?: number;
  /** The platform's own error code (Slack `error`, Matrix `errcode`, Mattermost `id`). */
  readonly code?: string;

  constructor(
    platform: ChatPlatform,
    message: string,
    details: { status?: number; code?: string } = {},
  ) {
    super(message);
    this.name = "ChatApiError";
    this.platform = platform;
    this.status = details.status;
    this.code = details.code;
  }
}
