import { ANNOUNCEMENT_MARK } from "../../shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";

/**
 * Says things in chat rooms through their incoming webhooks: announcements of
 * important document events and replies to commands on platforms whose webhooks
 * cannot answer inline. Per room, posts are at least `intervalMs` apart; what
 * arrives in between is batched into one post. Every post starts with the
 * announcement mark, so the bridge never mirrors it back.
 */
export class Announcer {
  private readonly store: DocumentStore;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly rooms = new Map<string, { lines: string[]; timer: NodeJS.Timeout | null; lastPost: number }>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: { store: DocumentStore; logger: Logger; intervalMs: number }) {
    this.store = options.store;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
  }

  /** Announces lines in every room linked to the incident that has a webhook. */
  async announce(incident: string, lines: string[]): Promise<void> {
    for (const link of await this.store.listChannelLinks(incident)) {
      if (link.webhookUrl) this.enqueue(link.webhookUrl, lines.map((line) => `${incident}: ${line}`));
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
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) this.logger.warn({ status: response.status, host: new URL(url).host }, "announcement refused by the room's webhook");
    } catch (error) {
      this.logger.warn({ err: error, host: new URL(url).host }, "announcement could not be posted");
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
