import {
  ANNOUNCEMENT_MARK,
  type ChatPlatform,
  incidentKeyInRoomName,
} from "#shared/chat/chatEvent.ts";
import { roomTopic } from "#shared/chat/roomTopic.ts";
import { readIncidentSummary } from "#shared/doc/index.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { ChatRoomStore } from "../storage/stores.ts";
import type { ChatPlatforms } from "./ChatPlatforms.ts";

/** Topic changes of one incident within this long are set once, with the last one. */
const TOPIC_SETTLE_MS = 300;

/** A room hotdoc opened for an incident. */
export interface OpenedRoom {
  platform: ChatPlatform;
  channel: string;
  name: string;
}

/**
 * Hot rooms, as the handbook runs them: declaring an incident opens its chat room,
 * named after its key (`hot-42`), links it, invites the people known to be on it, and
 * from then on keeps the topic of the incident's own rooms true (key, severity, status,
 * summary, who holds which role): those hotdoc opened and those named after the key,
 * never a team channel linked by hand. Works on every platform whose API is configured; nothing here ever
 * holds up a document write, and a platform that fails is logged and left alone.
 */
export class HotRooms {
  private readonly store: ChatRoomStore;
  private readonly incidents: IncidentService;
  private readonly platforms: ChatPlatforms;
  private readonly logger: Logger;
  private readonly publicUrl: () => string;
  private readonly enabled: boolean;
  /** The topic last set per room, so an unchanged topic is not sent again. */
  private readonly topics = new Map<string, string>();
  private readonly pendingTopics = new Map<string, { topic: string; timer: NodeJS.Timeout }>();
  /** Per incident, the topic updates in flight, so they land in order. */
  private readonly topicChains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: {
    store: ChatRoomStore;
    incidents: IncidentService;
    platforms: ChatPlatforms;
    logger: Logger;
    publicUrl: () => string;
    /** CHAT_CREATE_ROOMS: open rooms on declaration (topics are kept either way). */
    enabled: boolean;
  }) {
    this.store = options.store;
    this.incidents = options.incidents;
    this.platforms = options.platforms;
    this.logger = options.logger;
    this.publicUrl = options.publicUrl;
    this.enabled = options.enabled;
  }

  /** True when declaring on this platform opens a room there. */
  opensRooms(platform: string): boolean {
    return this.enabled && this.platforms.api(platform) !== undefined;
  }

  /**
   * Opens the incident's room on `only`, or on every platform with an API, inviting
   * `invite` (user ids on `only`). Resolves with the rooms opened; never rejects.
   */
  open(
    key: string,
    options: { only?: ChatPlatform; invite?: string[]; declaredBy?: string } = {},
  ): Promise<OpenedRoom[]> {
    const work = this.openNow(key, options).catch((error: unknown) => {
      this.logger.warn({ err: error, incident: key }, "incident rooms not opened");
      return [];
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private async openNow(
    key: string,
    options: { only?: ChatPlatform; invite?: string[]; declaredBy?: string },
  ): Promise<OpenedRoom[]> {
    if (!this.enabled) return [];
    const opened: OpenedRoom[] = [];
    const targets = this.platforms
      .all()
      .filter((p) => p.api && (!options.only || p.module.platform === options.only));
    if (targets.length === 0) return opened;
    const { topic, summary } = await this.incidents.withDoc(key, (doc) => ({
      topic: roomTopic(doc),
      summary: readIncidentSummary(doc),
    }));
    for (const { module, api } of targets) {
      if (!api) continue;
      const platform = module.platform;
      try {
        const existing = (await this.store.listChannelLinks(key)).find(
          (link) => link.platform === platform && link.createdBy === "hotdoc",
        );
        if (existing) continue;
        const room = await api.createRoom({
          name: key.toLowerCase(),
          topic,
          invite: platform === options.only ? (options.invite ?? []) : [],
        });
        const now = Date.now();
        // Named first, then linked: the room is known to be named after the incident
        // from before its link, so it stays with it.
        await this.store.recordRoomName(platform, room.channel, room.name, now);
        await this.store.linkChannel({
          platform,
          channel: room.channel,
          incident: key,
          webhookUrl: null,
          createdAt: now,
          createdBy: "hotdoc",
        });
        this.topics.set(roomKey(platform, room.channel), topic);
        opened.push({ platform, channel: room.channel, name: room.name });
        // A change made while the room was being opened found no room to set: catch up.
        this.topicChanged(key, await this.incidents.withDoc(key, roomTopic));
        this.logger.info(
          { incident: key, platform, channel: room.channel },
          "incident room opened",
        );
        const by = options.declaredBy ? `, declared by ${options.declaredBy}` : "";
        await api.post(room.channel, {
          kind: "announcement",
          text: [
            `${ANNOUNCEMENT_MARK} ${key} (SEV${summary.severity}): ${summary.summary}${by}.`,
            `The incident document: ${this.publicUrl()}/${key}`,
            "Everything said here goes to its timeline. Say `help` for the commands.",
          ].join("\n"),
        });
      } catch (error) {
        this.logger.warn({ err: error, incident: key, platform }, "incident room not opened");
      }
    }
    return opened;
  }

  /** Invites people (user ids on `platform`) to the incident's rooms hotdoc opened there. */
  async invite(key: string, platform: string, users: string[]): Promise<void> {
    const api = this.platforms.api(platform);
    if (!api || users.length === 0) return;
    for (const link of await this.store.listChannelLinks(key)) {
      if (link.platform !== platform || link.createdBy !== "hotdoc") continue;
      try {
        await api.invite(link.channel, users);
      } catch (error) {
        this.logger.warn({ err: error, incident: key, platform }, "could not invite to the room");
      }
    }
  }

  /** The incident's topic is now `topic`: set it in its rooms (the last of a burst wins). */
  topicChanged(key: string, topic: string): void {
    const pending = this.pendingTopics.get(key);
    if (pending) {
      pending.topic = topic;
      return;
    }
    const timer = setTimeout(() => {
      const latest = this.pendingTopics.get(key)?.topic ?? topic;
      this.pendingTopics.delete(key);
      const previous = this.topicChains.get(key) ?? Promise.resolve();
      const next = previous.then(() => this.setTopics(key, latest));
      this.topicChains.set(key, next);
      this.inFlight.add(next);
      void next.finally(() => {
        this.inFlight.delete(next);
        if (this.topicChains.get(key) === next) this.topicChains.delete(key);
      });
    }, TOPIC_SETTLE_MS);
    this.pendingTopics.set(key, { topic, timer });
  }

  private async setTopics(key: string, topic: string): Promise<void> {
    let links: Awaited<ReturnType<ChatRoomStore["listChannelLinks"]>>;
    try {
      links = await this.store.listChannelLinks(key);
    } catch (error) {
      this.logger.warn({ err: error, incident: key }, "room topics not updated");
      return;
    }
    for (const link of links) {
      const api = this.platforms.api(link.platform);
      const room = roomKey(link.platform, link.channel);
      if (!api || this.topics.get(room) === topic) continue;
      // Only the incident's own rooms: one hotdoc opened, or one named after the incident.
      // A team's channel linked by hand (#payments) keeps the topic its people gave it.
      if (link.createdBy !== "hotdoc") {
        const named = await this.store.recordRoomName(link.platform, link.channel, null);
        if (incidentKeyInRoomName(named?.name) !== key) continue;
      }
      try {
        await api.setTopic(link.channel, topic);
        this.topics.set(room, topic);
      } catch (error) {
        this.logger.warn(
          { err: error, incident: key, platform: link.platform, channel: link.channel },
          "room topic not updated",
        );
      }
    }
  }

  /** Waits (a few seconds at most) for room work in flight (for shutdown and tests). */
  async settle(waitMs = 5000): Promise<void> {
    for (const [key, pending] of this.pendingTopics) {
      clearTimeout(pending.timer);
      this.pendingTopics.delete(key);
      void this.setTopicsTracked(key, pending.topic);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private setTopicsTracked(key: string, topic: string): Promise<void> {
    const work = this.setTopics(key, topic);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }
}

function roomKey(platform: string, channel: string): string {
  return `${platform}\u0000${channel}`;
}
