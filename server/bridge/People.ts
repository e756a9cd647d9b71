import type { ChatEvent } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import type { ChatPlatforms } from "./ChatPlatforms.ts";

/** How long a name is trusted before it is asked again (people rename themselves). */
const NAME_TTL_MS = 60 * 60_000;
/** How long an id the platform could not name is left alone before asking again. */
const UNKNOWN_TTL_MS = 60_000;
/** Most names remembered; the oldest go first. */
const MAX_NAMES = 10_000;
/** A delivery waits at most this long for names; then ids stand in (platforms retry slow webhooks). */
const LOOKUP_BUDGET_MS = 1500;

/**
 * People, not ids: where a platform's API can tell a person's display name (Slack
 * users.info, Matrix profiles, Mattermost users), the author of a chat message and
 * the people it mentions by id are written under that name, so one person has one
 * name in the timeline, in role assignments and in the postmortem. Names are cached
 * per platform; a lookup that fails or is slow leaves the id as it is.
 */
export class People {
  private readonly platforms: ChatPlatforms;
  private readonly logger: Logger;
  private readonly names = new Map<string, { name: string | null; until: number }>();
  private readonly pending = new Map<string, Promise<string | null>>();

  constructor(platforms: ChatPlatforms, logger: Logger) {
    this.platforms = platforms;
    this.logger = logger;
  }

  /** The events with authors and mentions named; events of platforms without an API are returned as they are. */
  async name(events: ChatEvent[]): Promise<ChatEvent[]> {
    const wanted = new Set<string>();
    for (const event of events) {
      if (!this.platforms.api(event.platform)?.displayName) continue;
      for (const id of idsOf(event)) wanted.add(cacheKey(event.platform, id));
    }
    if (wanted.size === 0) return events;
    const lookups = Promise.all(
      [...wanted].map((key) => {
        const [platform, id] = key.split("\u0000") as [string, string];
        return this.lookup(platform, id);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      lookups,
      new Promise((resolve) => {
        timer = setTimeout(resolve, LOOKUP_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);
    return events.map((event) => this.rename(event));
  }

  /** A person's name, waiting at most the lookup budget (a slash command must be answered within 3 s). */
  async lookupWithin(platform: string, id: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), LOOKUP_BUDGET_MS);
    });
    try {
      return await Promise.race([this.lookup(platform, id), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A person's name by platform id, from the cache or the platform (null when unknown). */
  async lookup(platform: string, id: string): Promise<string | null> {
    const key = cacheKey(platform, id);
    const cached = this.names.get(key);
    if (cached && cached.until > Date.now()) return cached.name;
    const running = this.pending.get(key);
    if (running) return running;
    const api = this.platforms.api(platform);
    if (!api) return null;
    const asking = api
      .displayName(id)
      .then(
        (name) => {
          const clean = name?.trim().slice(0, 200) || null;
          this.remember(key, clean, clean ? NAME_TTL_MS : UNKNOWN_TTL_MS);
          return clean;
        },
        (error: unknown) => {
          this.logger.warn(
            { err: error, platform, user: id },
            "could not look up a chat user's name",
          );
          this.remember(key, null, UNKNOWN_TTL_MS);
          return null;
        },
      )
      .finally(() => this.pending.delete(key));
    this.pending.set(key, asking);
    return asking;
  }

  private remember(key: string, name: string | null, ttl: number): void {
    this.names.delete(key);
    this.names.set(key, { name, until: Date.now() + ttl });
    while (this.names.size > MAX_NAMES) {
      const oldest = this.names.keys().next().value;
      if (oldest === undefined) break;
      this.names.delete(oldest);
    }
  }

  /** The name known now for an id, without asking. */
  private known(platform: string, id: string): string | null {
    const cached = this.names.get(cacheKey(platform, id));
    return cached && cached.until > Date.now() ? cached.name : null;
  }

  private rename(event: ChatEvent): ChatEvent {
    if (event.action !== "post" && event.action !== "edit") return event;
    let text = event.text;
    const mentions = event.action === "post" ? [...(event.mentions ?? [])] : [];
    for (const mention of event.userMentions ?? []) {
      const name = this.known(event.platform, mention.id);
      if (!name) continue;
      // Only where the mention ends (`@U0BOB` is not part of `@U0BOBBY`).
      const escaped = mention.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      text = text.replace(new RegExp(`${escaped}(?!\\w)`, "g"), () => `@${name}`);
      if (!mentions.includes(name)) mentions.push(name);
    }
    if (event.action === "edit") return { ...event, text };
    const author = event.authorId ? this.known(event.platform, event.authorId) : null;
    return {
      ...event,
      text,
      author: author ?? event.author,
      ...(mentions.length > 0 ? { mentions } : {}),
    };
  }
}

function cacheKey(platform: string, id: string): string {
  return `${platform}\u0000${id}`;
}

function idsOf(event: ChatEvent): string[] {
  if (event.action !== "post" && event.action !== "edit") return [];
  const ids = (event.userMentions ?? []).map((m) => m.id);
  if (event.action === "post" && event.authorId) ids.push(event.authorId);
  return ids;
}
