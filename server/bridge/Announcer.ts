import { ANNOUNCEMENT_MARK } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import { type OutboundTargets, TargetRefusedError } from "../net/outboundTarget.ts";
import {
  DEFAULT_RETRY,
  isRetryableStatus,
  RetryableError,
  type RetryPolicy,
  retryAfterMs,
  withRetries,
} from "../net/retrying.ts";
import type { ChatRoomStore } from "../storage/stores.ts";
import type { OutboundMessage } from "./ChatApi.ts";
import type { ChatPlatforms } from "./ChatPlatforms.ts";

/** How long one post may take before it is given up (Slack and Mattermost answer in well under a second). */
const POST_TIMEOUT_MS = 10_000;
/** How long shutdown waits for posts still retrying. */
const FLUSH_WAIT_MS = 5000;

interface Room {
  platform: string;
  channel: string;
  lines: string[];
  kind: OutboundMessage["kind"];
  timer: NodeJS.Timeout | null;
  lastPost: number;
  /** The room's posts in flight, one after the other: a post retrying holds back the next. */
  chain: Promise<void>;
}

/**
 * Says things in chat rooms: announcements of important document events and replies
 * to commands on platforms whose webhooks cannot answer inline. A room is reached
 * through its platform's API when that is configured (Slack chat.postMessage, Matrix
 * m.notice, Mattermost posts), otherwise through the incoming webhook its link names,
 * in the body that platform's webhooks take (Teams: an Adaptive Card). Per room, posts
 * are at least `intervalMs` apart; what arrives in between is batched into one post.
 * Every post starts with the announcement mark, so the bridge never mirrors it back,
 * retries on 429/5xx honouring Retry-After, and runs apart from any document write.
 * Webhook URLs go through the outbound policy at every post (checked, pinned, no
 * redirects followed).
 */
export class Announcer {
  private readonly store: ChatRoomStore;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly outbound: OutboundTargets;
  private readonly platforms: ChatPlatforms;
  private readonly retry: RetryPolicy;
  private readonly rooms = new Map<string, Room>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: {
    store: ChatRoomStore;
    logger: Logger;
    intervalMs: number;
    outbound: OutboundTargets;
    platforms: ChatPlatforms;
    retry?: RetryPolicy;
  }) {
    this.store = options.store;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
    this.outbound = options.outbound;
    this.platforms = options.platforms;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Announces lines in every room linked to the incident that hotdoc can talk in. */
  async announce(incident: string, lines: string[]): Promise<void> {
    for (const link of await this.store.listChannelLinks(incident)) {
      if (link.webhookUrl || this.platforms.api(link.platform))
        this.enqueue(
          link.platform,
          link.channel,
          lines.map((line) => `${incident}: ${line}`),
          "announcement",
        );
    }
  }

  /** Replies in one room, if hotdoc can talk in it. */
  async reply(platform: string, channel: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const link = await this.store.findChannelLink(platform, channel);
    if (link?.webhookUrl || this.platforms.api(platform))
      this.enqueue(platform, channel, lines, "reply");
  }

  private enqueue(
    platform: string,
    channel: string,
    lines: string[],
    kind: OutboundMessage["kind"],
  ): void {
    const key = `${platform}\u0000${channel}`;
    let room = this.rooms.get(key);
    if (!room) {
      room = {
        platform,
        channel,
        lines: [],
        kind,
        timer: null,
        lastPost: 0,
        chain: Promise.resolve(),
      };
      this.rooms.set(key, room);
    }
    if (room.lines.length === 0) room.kind = kind;
    else if (room.kind !== kind) room.kind = "announcement";
    room.lines.push(...lines);
    if (room.timer) return;
    const wait = Math.max(0, room.lastPost + this.intervalMs - Date.now());
    const target = room;
    target.timer = setTimeout(() => {
      target.timer = null;
      target.lastPost = Date.now();
      this.send(target);
    }, wait);
  }

  private send(room: Room): void {
    const text = `${ANNOUNCEMENT_MARK} ${room.lines.splice(0).join("\n")}`;
    const kind = room.kind;
    const posting = room.chain
      .then(() => this.post(room.platform, room.channel, { text, kind }))
      .finally(() => this.inFlight.delete(posting));
    room.chain = posting;
    this.inFlight.add(posting);
  }

  private async post(platform: string, channel: string, message: OutboundMessage): Promise<void> {
    const api = this.platforms.api(platform);
    try {
      if (api) {
        await api.post(channel, message);
        return;
      }
      // Read when posting: the link may have been changed or removed since.
      const link = await this.store.findChannelLink(platform, channel);
      if (link?.webhookUrl) await this.postWebhook(platform, link.webhookUrl, message.text);
    } catch (error) {
      this.logger.warn({ err: error, platform, channel }, "message to the room not delivered");
    }
  }

  private async postWebhook(platform: string, url: string, text: string): Promise<void> {
    const host = hostOf(url);
    const body = JSON.stringify(this.platforms.webhookBody(platform, text) ?? { text });
    try {
      const answer = await withRetries(async () => {
        let result: Awaited<ReturnType<OutboundTargets["request"]>>;
        try {
          result = await this.outbound.request(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            timeoutMs: POST_TIMEOUT_MS,
          });
        } catch (error) {
          if (error instanceof TargetRefusedError) throw error;
          throw new RetryableError(`the webhook could not be reached: ${(error as Error).message}`);
        }
        if (isRetryableStatus(result.status)) {
          const header = result.headers["retry-after"];
          throw new RetryableError(
            `the webhook answered ${result.status}`,
            retryAfterMs(Array.isArray(header) ? header[0] : header),
          );
        }
        return result;
      }, this.retry);
      if (answer.status >= 300 && answer.status < 400) {
        this.logger.warn(
          { status: answer.status, host, location: answer.headers.location },
          "announcement not delivered: the room's webhook answered with a redirect, which is never followed",
        );
      } else if (answer.status < 200 || answer.status >= 300) {
        this.logger.warn(
          { status: answer.status, host },
          "announcement refused by the room's webhook",
        );
      }
    } catch (error) {
      if (error instanceof TargetRefusedError)
        this.logger.warn(
          { host, reason: error.message },
          "announcement not sent: the room's webhook is not an allowed target",
        );
      else this.logger.warn({ err: error, host }, "announcement could not be posted");
    }
  }

  /** Posts what is queued now and waits (a few seconds at most) for posts in flight (for shutdown). */
  async flush(): Promise<void> {
    for (const room of this.rooms.values()) {
      if (room.timer) {
        clearTimeout(room.timer);
        room.timer = null;
      }
      if (room.lines.length > 0) this.send(room);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, FLUSH_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** The host of a URL for log lines, without throwing on one that no longer parses. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
}
