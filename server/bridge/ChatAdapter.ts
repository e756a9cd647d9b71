import type { ChatEvent, ChatPlatform } from "#shared/chat/chatEvent.ts";

/** One HTTP delivery from a chat platform, as received: the raw body is what signatures cover. */
export interface Delivery {
  raw: Buffer;
  headers: Headers;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Epoch ms when it arrived. */
  now: number;
}

/** An HTTP answer an adapter wants to give the platform. */
export interface AdapterAnswer {
  status: number;
  body: unknown;
}

export interface Parsed {
  events: ChatEvent[];
  /** Events of the delivery that were left out, with why (platforms that batch events must not be blocked by one). */
  skipped?: string[];
  /** Answer at once without mirroring anything (e.g. Slack's url_verification handshake). */
  answer?: AdapterAnswer;
  /**
   * The platform's transaction this delivery is (Matrix txnIds): a transaction id is
   * applied once, and a later delivery with the same id changes nothing, whatever it carries.
   */
  transaction?: { id: string; digest: string };
}

/**
 * A slash command (`/hotdoc declare sev2 Checkout is failing`), verified and read:
 * who said it where, and the words after the command.
 */
export interface SlashCommand {
  platform: ChatPlatform;
  channel: string;
  channelName?: string;
  userId: string;
  /** The person's handle as the platform sent it (Slack user_name, Mattermost user_name). */
  userName: string;
  /** The words after the command (`declare sev2 Checkout is failing`). */
  text: string;
  /** The invocation's own id (trigger_id), so a repeated delivery runs once. */
  id: string;
  /** When it arrived (ISO 8601). */
  at: string;
}

/**
 * One chat platform: verify the delivery (signature, token, timestamp), then parse
 * its documented payload into platform-neutral ChatEvents. Throws a HotdocError
 * (`signature_invalid`, `timestamp_stale`, `invalid_payload`) for anything it refuses.
 */
export interface ChatAdapter {
  readonly platform: ChatPlatform;
  /** The env variable that turns the adapter on; without it the adapter is off and says so. */
  readonly secretVariable: string;
  readonly enabled: boolean;
  /** True when the webhook's answer is shown in the room; otherwise replies go through the room's incoming webhook. */
  readonly repliesInline: boolean;
  /**
   * True when a message for a room linked to no incident is refused (404). Chat
   * platforms send every room the bot is in, and retry or disable a webhook that
   * answers errors, so for them such messages are ignored (and counted) instead.
   */
  readonly refusesUnlinkedRooms: boolean;
  handle(delivery: Delivery): Parsed;
  /**
   * The success answer, carrying replies where the platform shows a webhook's answer
   * in the room (Mattermost, Teams); others ignore `replies`.
   */
  answer(replies: string[]): AdapterAnswer;
  /** True when slash commands are on (their own token on some platforms); defaults to `enabled`. */
  readonly commandsEnabled?: boolean;
  /** The env variable that turns slash commands on, when it is not `secretVariable`. */
  readonly commandSecretVariable?: string;
  /** Verifies and reads a slash command delivery, where the platform has slash commands. */
  handleCommand?(delivery: Delivery): SlashCommand;
  /** The answer to a slash command, shown in the room where it was typed. */
  commandAnswer?(text: string): AdapterAnswer;
}

/** What every adapter shares: it is on exactly when its secret (token, signing key) is configured. */
export abstract class SecretAdapter {
  protected readonly secret: string;

  constructor(secret: string | undefined) {
    this.secret = secret ?? "";
  }

  get enabled(): boolean {
    return this.secret.length > 0;
  }
}
