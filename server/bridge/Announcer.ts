import { ANNOUNCEMENT_MARK } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import { OutboundTargets, TargetRefusedError } from "../net/outboundTarget.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";

/** How long one post may take before it is given up (Slack and Mattermost answer in well under a second). */
const POST_TIMEOUT_MS = 10_000;

/**
 * Says things in chat rooms through their incoming webhooks: announcements of
 * important document events and replies to commands on platforms whose webhooks
 * cannot answer inline. Per room, posts are at least `intervalMs` apart; what
 * arrives in between is batched into one post. Every post starts with the
 * announcement mark, so the bridge never mirrors it back. Every post goes through
 * the outbound target policy: the URL is checked again when it is used (a name may
 * resolve elsewhere by now), the connection is pinned to the checked address, and
 * redirects are not followed.
 */
export class Announcer {
  private readonly store: DocumentStore;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly outbound: OutboundTargets;
  private readonly rooms = new Map<
    string,
    { lines: string[]; timer: NodeJS.Timeout | null; lastPost: number }
  >();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: {
    store: DocumentStore;
    logger: Logger;
    intervalMs: number;
    outbound?: OutboundTargets;
  }) {
    this.store = options.store;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
    this.outbound = options.outbound ?? new OutboundTargets();
  }

  /** Announces lines in every room linked to the incident that has a webhook. */
  async announce(incident: string, lines: string[]): Promise<void> {
    for (const link of await this.store.listChannelLinks(incident)) {
      if (link.webhookUrl)
        this.enqueue(
          link.webhookUrl,
          lines.map((line) => `${incident}: ${line}`),
        );
    }
  }

  /** Replies in one room, if it has a webhook. */
  async reply(platform: string, channel: string, lines: string[]): Promise<void> {
    const link = await this.store.findChannelLink(platform, channel);
    if (link?.webhookUrl) this.enqueue(link.webhookUrl, lines);
  }

  private enqueue(url: string, lines: string[]): void {
    let room = this.rooms.get(url);
    if (!room) {
      room = { lines: [], timer: null, lastPost: 0 };
      this.rooms.set(url, room);
    }
    room.lines.push(...lines);
    if (room.timer) return;
    const wait = Math.max(0, room.lastPost + this.intervalMs - Date.now());
    const target = room;
    target.timer = setTimeout(() => {
      target.timer = null;
      target.lastPost = Date.now();
      const text = `${ANNOUNCEMENT_MARK} ${target.lines.splice(0).join("\n")}`;
      const posting = this.post(url, text).finally(() => this.inFlight.delete(posting));
      this.inFlight.add(posting);
    }, wait);
  }

  private async post(url: string, text: string): Promise<void> {
    const host = hostOf(url);
    try {
      const { status, location } = await this.outbound.postJson(
        url,
        { text },
        { timeoutMs: POST_TIMEOUT_MS },
      );
      if (status >= 300 && status < 400) {
        this.logger.warn(
          { status, host, location },
          "announcement not delivered: the room's webhook answered with a redirect, which is never followed",
        );
      } else if (status < 200 || status >= 300) {
        this.logger.warn({ status, host }, "announcement refused by the room's webhook");
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

  /** Posts what is queued now and waits for posts in flight (for shutdown). */
  async flush(): Promise<void> {
    for (const room of this.rooms.values()) {
      if (room.timer) {
        clearTimeout(room.timer);
        room.timer = null;
      }
    }
    for (const [url, room] of this.rooms) {
      if (room.lines.length === 0) continue;
      const posting = this.post(url, `${ANNOUNCEMENT_MARK} ${room.lines.splice(0).join("\n")}`);
      this.inFlight.add(posting);
    }
    await Promise.allSettled([...this.inFlight]);
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
