import { chatDeclarer } from "#shared/access.ts";
import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import type { Severity } from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { ChatRoomStore } from "../storage/stores.ts";
import type { HotRooms } from "./HotRooms.ts";

/** Declarations one person may make from chat in the window. */
const DECLARES_PER_WINDOW = 3;
const DECLARE_WINDOW_MS = 10 * 60_000;

/** A declaration said in chat: `/hotdoc declare sev2 Checkout is failing`, or the same words as a message. */
export interface ChatDeclaration {
  platform: ChatPlatform;
  channel: string;
  /** The declarer's platform id, invited to the room opened for the incident. */
  userId?: string;
  /** The declarer's name (resolved where the platform's API can tell it). */
  userName: string;
  severity: Severity;
  summary: string;
  /** The message's or the slash command's own id: one declaration per id, whatever the deliveries. */
  id: string;
}

/**
 * Declares incidents from chat. Anyone in a room the bot is in may declare (the
 * handbook: declaring early is cheap, not declaring is expensive); the declaration is
 * attributed to them, and its room opens on their platform when its API is set up. A
 * delivery repeated (a platform's retry) declares once and gets the same answer: the
 * id is recorded with the incident it declared, once that incident exists.
 */
export class ChatDeclarations {
  private readonly store: ChatRoomStore;
  private readonly incidents: IncidentService;
  private readonly rooms: HotRooms;
  private readonly logger: Logger;
  private readonly publicUrl: () => string;
  private readonly running = new Map<string, Promise<string[]>>();
  /** When each person declared from chat lately. */
  private readonly recent = new Map<string, number[]>();

  constructor(options: {
    store: ChatRoomStore;
    incidents: IncidentService;
    rooms: HotRooms;
    logger: Logger;
    publicUrl: () => string;
  }) {
    this.store = options.store;
    this.incidents = options.incidents;
    this.rooms = options.rooms;
    this.logger = options.logger;
    this.publicUrl = options.publicUrl;
  }

  /** Declares, once per id; resolves with what to say in the room. */
  declare(declaration: ChatDeclaration): Promise<string[]> {
    const key = `${declaration.platform}\u0000${declaration.id}`;
    const running = this.running.get(key);
    if (running) return running;
    const work = this.declareOnce(declaration).finally(() => this.running.delete(key));
    this.running.set(key, work);
    return work;
  }

  private async declareOnce(d: ChatDeclaration): Promise<string[]> {
    // Its own namespace in the platform transaction log, so no platform's ids can collide with it.
    const ledger = `${d.platform}:declare`;
    const earlier = await this.store.recordChatTransaction(ledger, d.id, null);
    if (earlier)
      return [`Declared already as ${earlier.digest}: ${this.publicUrl()}/${earlier.digest}`];
    // Anyone in chat may declare, so one person may not open incidents (and rooms) in a loop.
    const who = `${d.platform}\u0000${d.userId ?? d.userName}`;
    const now = Date.now();
    const recent = (this.recent.get(who) ?? []).filter((at) => at > now - DECLARE_WINDOW_MS);
    if (recent.length >= DECLARES_PER_WINDOW) {
      this.logger.warn(
        { platform: d.platform, by: d.userName },
        "chat declaration refused: too many",
      );
      return [
        `You declared ${recent.length} incidents in the last ${DECLARE_WINDOW_MS / 60_000} minutes; declare the next one on the incident page.`,
      ];
    }
    recent.push(now);
    this.recent.set(who, recent);
    let key: string;
    try {
      ({ key } = await this.incidents.create(
        { summary: d.summary, severity: d.severity },
        chatDeclarer(d.platform, d.userName),
      ));
    } catch (error) {
      return [`Could not declare: ${describeError(error)}`];
    }
    await this.store.recordChatTransaction(ledger, d.id, key, Date.now());
    this.logger.info(
      { incident: key, platform: d.platform, by: d.userName },
      "incident declared from chat",
    );
    const replies = [
      `Declared ${key} (SEV${d.severity}): ${d.summary}`,
      `The incident document: ${this.publicUrl()}/${key}`,
    ];
    if (this.rooms.opensRooms(d.platform)) {
      replies.push(`Opening its room, ${key.toLowerCase()}; you are invited.`);
      void this.rooms.open(key, {
        only: d.platform,
        invite: d.userId ? [d.userId] : [],
        declaredBy: d.userName,
      });
    } else {
      replies.push(
        `Say \`link ${key}\` in the room where it is worked, to mirror that room into it.`,
      );
    }
    return replies;
  }
}
