import type { ChatEvent } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import type { ChatPerson } from "./ChatApi.ts";
import type { ChatPlatforms } from "./ChatPlatforms.ts";

/** How long what a platform said about a person is trusted before it is asked again (people rename themselves). */
const NAME_TTL_MS = 60 * 60_000;
/** How long an id the platform could not name is left alone before asking again. */
const UNKNOWN_TTL_MS = 60_000;
/** Most people remembered; the oldest go first. */
const MAX_NAMES = 10_000;
/** A delivery waits at most this long for names; then ids stand in (platforms retry slow webhooks). */
const LOOKUP_BUDGET_MS = 1500;
/** Longest name written for a person. */
const MAX_NAME = 200;

/** The people who signed in with the identity provider, found by email (the store). */
interface PersonDirectory {
  findPersonByEmail(email: string): Promise<{ name: string } | null>;
}

interface PeopleOptions {
  directory: PersonDirectory;
  /** `${platform}:${userId}` → lower-cased email (CHAT_IDENTITY_MAP); it wins over the email the platform gives. */
  identityMap: ReadonlyMap<string, string>;
}

/** What is remembered of one chat user: what their platform said, and the name they are written under. */
interface Remembered {
  person: ChatPerson;
  name: string | null;
  until: number;
}

/**
 * People, not ids: the author of a chat message and the people it mentions by id are
 * written under one name, so one person has one name in the timeline, in role
 * assignments and in the postmortem. That name is the one the person signed in to
 * hotdoc with, when their email (set in CHAT_IDENTITY_MAP, else told by the
 * platform: Slack users.info, Mattermost users) matches someone in the directory of
 * signed-in people; otherwise the display name the platform's API gives (Slack,
 * Matrix profiles, Mattermost). What a platform says is cached per platform; the
 * directory is asked on every lookup (it is local), so someone who signs in during an
 * incident is written under their own name from their next message on. A lookup that
 * fails or is slow leaves the id as it is.
 */
export class People {
  private readonly platforms: ChatPlatforms;
  private readonly logger: Logger;
  private readonly directory: PersonDirectory;
  private readonly identityMap: ReadonlyMap<string, string>;
  private readonly people = new Map<string, Remembered>();
  private readonly pending = new Map<string, Promise<ChatPerson>>();

  constructor(platforms: ChatPlatforms, logger: Logger, options: PeopleOptions) {
    this.platforms = platforms;
    this.logger = logger;
    this.directory = options.directory;
    this.identityMap = options.identityMap;
  }

  /** The events with authors and mentions named; ids nobody can name are left as they are. */
  async name(events: ChatEvent[]): Promise<ChatEvent[]> {
    const wanted = new Set<string>();
    for (const event of events) {
      const api = this.platforms.api(event.platform);
      for (const id of idsOf(event))
        if (api || this.identityMap.has(mapKey(event.platform, id)))
          wanted.add(cacheKey(event.platform, id));
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

  /**
   * A person's name by platform id (null when unknown): the directory's name for their
   * email if it has them, else the platform's display name.
   */
  async lookup(platform: string, id: string): Promise<string | null> {
    const key = cacheKey(platform, id);
    const person = await this.ask(platform, id);
    const email = this.identityMap.get(mapKey(platform, id)) ?? person.email?.toLowerCase();
    const name = (email ? await this.signedIn(email, platform, id) : null) ?? person.name;
    const remembered = this.people.get(key);
    if (remembered) remembered.name = name;
    return name;
  }

  /** What the platform says about a person, from the cache or its API. */
  private ask(platform: string, id: string): Promise<ChatPerson> {
    const key = cacheKey(platform, id);
    const cached = this.people.get(key);
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.person);
    const running = this.pending.get(key);
    if (running) return running;
    const api = this.platforms.api(platform);
    const asking = (api ? api.person(id) : Promise.resolve({ name: null, email: null }))
      .then(
        (answer) => {
          const person = {
            name: answer.name?.trim().slice(0, MAX_NAME) || null,
            email: answer.email?.trim() || null,
          };
          this.remember(key, person, person.name || person.email ? NAME_TTL_MS : UNKNOWN_TTL_MS);
          return person;
        },
        (error: unknown) => {
          this.logger.warn(
            { err: error, platform, user: id },
            "could not look up a chat user's name",
          );
          const person = { name: null, email: null };
          this.remember(key, person, UNKNOWN_TTL_MS);
          return person;
        },
      )
      .finally(() => this.pending.delete(key));
    this.pending.set(key, asking);
    return asking;
  }

  /** The name of the signed-in person with this email, or null (none, or the directory failed). */
  private async signedIn(email: string, platform: string, id: string): Promise<string | null> {
    try {
      const found = await this.directory.findPersonByEmail(email);
      return found?.name.trim().slice(0, MAX_NAME) || null;
    } catch (error) {
      this.logger.warn(
        { err: error, platform, user: id },
        "could not look a chat user up among the people who signed in",
      );
      return null;
    }
  }

  /** Keeps a platform's answer; the name written so far stands until the lookup that asked settles it. */
  private remember(key: string, person: ChatPerson, ttl: number): void {
    const name = this.people.get(key)?.name ?? person.name;
    this.people.delete(key);
    this.people.set(key, { person, name, until: Date.now() + ttl });
    while (this.people.size > MAX_NAMES) {
      const oldest = this.people.keys().next().value;
      if (oldest === undefined) break;
      this.people.delete(oldest);
    }
  }

  /** The name known now for an id, without asking. */
  private known(platform: string, id: string): string | null {
    const remembered = this.people.get(cacheKey(platform, id));
    return remembered && remembered.until > Date.now() ? remembered.name : null;
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

/** The key of CHAT_IDENTITY_MAP (config.chatIdentityMap). */
function mapKey(platform: string, id: string): string {
  return `${platform}:${id}`;
}

function idsOf(event: ChatEvent): string[] {
  if (event.action !== "post" && event.action !== "edit") return [];
  const ids = (event.userMentions ?? []).map((m) => m.id);
  if (event.action === "post" && event.authorId) ids.push(event.authorId);
  return ids;
}
