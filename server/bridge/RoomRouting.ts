import { type ChatEvent, incidentKeyInRoomName } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../logger.ts";
import type { Stores } from "../storage/stores.ts";

/**
 * Which incident a chat room belongs to: its link, the incident it is named after, or
 * the one a `link HOT-12` said in it names, with the rule that a room named after an
 * incident stays with it unless moved with rights on that incident.
 */
export class RoomRouting {
  private readonly stores: Pick<Stores, "chat" | "incidents">;
  private readonly logger: Logger;

  constructor(stores: Pick<Stores, "chat" | "incidents">, logger: Logger) {
    this.stores = stores;
    this.logger = logger;
  }

  /**
   * The incident a room belongs to: its link, or the incident whose key is the room's
   * name (`hot-12`). A room named after an incident belongs to it: a link to another
   * incident stands only if it was made while the room already had that name, because
   * then whoever made it had to show rights on the named incident (API) or was refused
   * (chat command). A link made before the name was known proved nothing about the
   * named incident, so the room follows its name; this closes linking another
   * incident's room before its first message ever arrives.
   */
  async incidentFor(event: ChatEvent): Promise<string | null> {
    const room = await this.roomName(event);
    const named = await this.existingIncident(room?.name);
    const link = await this.stores.chat.findChannelLink(event.platform, event.channel);
    if (link && (!named || named === link.incident || (room && room.namedAt <= link.createdAt)))
      return link.incident;
    if (!named) return null;
    await this.stores.chat.linkChannel({
      platform: event.platform,
      channel: event.channel,
      incident: named,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: `bridge:${event.platform}`,
    });
    if (link) {
      this.logger.warn(
        {
          incident: named,
          platform: event.platform,
          channel: event.channel,
          from: link.incident,
          linkedBy: link.createdBy,
        },
        "room named after an incident was linked to another one before its name was known: it follows its name",
      );
    } else {
      this.logger.info(
        { incident: named, platform: event.platform, channel: event.channel },
        "room linked by its name",
      );
    }
    return named;
  }

  /** Records the name the platform sent with this event, if any, and returns what is known of the room's name. */
  private async roomName(event: ChatEvent): Promise<{ name: string; namedAt: number } | null> {
    const name = event.channelName?.trim();
    return this.stores.chat.recordRoomName(
      event.platform,
      event.channel,
      name ? name : null,
      Date.now(),
    );
  }

  /** The key of an existing incident that a room name designates. */
  private async existingIncident(name: string | undefined): Promise<string | null> {
    const key = incidentKeyInRoomName(name);
    return key && (await this.stores.incidents.incidentExists(key)) ? key : null;
  }

  /**
   * `link HOT-12` said in a room. People in a chat room hold no hotdoc rights, so a room
   * named after another incident (or whose id is that incident's key) cannot be moved
   * from the room: that takes the API, with rights on the incident it is named after.
   */
  async link(event: ChatEvent, key: string, replies: string[]): Promise<string | null> {
    if (!(await this.stores.incidents.incidentExists(key))) {
      replies.push(`There is no incident ${key}; this room stays as it was.`);
      return this.incidentFor(event);
    }
    const room = await this.roomName(event);
    const owner = [incidentKeyInRoomName(room?.name), incidentKeyInRoomName(event.channel)].find(
      (named) => named && named !== key,
    );
    if (owner) {
      replies.push(
        `This room is named after ${owner}, so it stays with ${owner}; moving it takes rights on ${owner} (POST /api/incidents/${key}/channels).`,
      );
      this.logger.warn(
        { incident: key, platform: event.platform, channel: event.channel, namedAfter: owner },
        "link command refused: the room is named after another incident",
      );
      return this.incidentFor(event);
    }
    await this.stores.chat.linkChannel({
      platform: event.platform,
      channel: event.channel,
      incident: key,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: event.action === "post" ? event.author : `bridge:${event.platform}`,
    });
    replies.push(`This room is now linked to ${key}: its messages go to the ${key} timeline.`);
    this.logger.info(
      { incident: key, platform: event.platform, channel: event.channel },
      "room linked by command",
    );
    return key;
  }
}
