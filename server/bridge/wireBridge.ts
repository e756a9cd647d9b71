import type { Config } from "../config.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { categoryLogger, type Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { type OutboundTargets, TargetRefusedError } from "../net/outboundTarget.ts";
import type { Stores } from "../storage/stores.ts";
import { Announcer } from "./Announcer.ts";
import { ChatDeclarations } from "./ChatDeclarations.ts";
import { ChatMirror, type PageCommand } from "./ChatMirror.ts";
import { ChatPlatforms } from "./ChatPlatforms.ts";
import { DeliveryClaims } from "./DeliveryClaims.ts";
import { HotRooms } from "./HotRooms.ts";
import { People } from "./People.ts";

/**
 * The configured chat platforms and the announcer posting to them, built before the
 * extensions (which announce). Each platform's API base URL is checked against the
 * outbound policy first: one it refuses stops the start, and `refused` says why.
 */
export async function startChatPlatforms(
  config: Config,
  deps: { stores: Stores; outbound: OutboundTargets; logger: Logger },
): Promise<{ platforms: ChatPlatforms; announcer: Announcer } | { refused: string }> {
  const { stores, outbound, logger } = deps;
  const platforms = new ChatPlatforms(config.chat, {
    outbound,
    logger: categoryLogger(logger, "chat-api"),
  });
  for (const platform of platforms.all()) {
    if (!platform.apiUrl) continue;
    try {
      await outbound.check(platform.apiUrl);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      // A name that does not resolve yet (a network still coming up) is checked again at
      // every connection; where it points is what stops the start.
      if (error.unresolved) {
        logger.warn(
          { platform: platform.module.platform, reason: error.message },
          "chat platform API not reachable yet; it is checked again at every call",
        );
        continue;
      }
      return {
        refused: `the ${platform.module.platform} API URL ${platform.apiUrl} is refused: ${error.message}`,
      };
    }
  }
  const announcer = new Announcer({
    store: stores.chat,
    logger: categoryLogger(logger, "announce"),
    intervalMs: config.announceIntervalMs,
    outbound,
    platforms,
  });
  return { platforms, announcer };
}

/**
 * The bridge's parts that act on incidents, built once the incident service exists:
 * rooms, declarations from chat, the mirror of chat into the timeline, and people.
 */
export function wireBridge(
  config: Config,
  deps: {
    stores: Stores;
    incidents: IncidentService;
    platforms: ChatPlatforms;
    metrics: Metrics;
    logger: Logger;
    publicUrl: () => string;
    /** Chat's `page <team> <why>` (PagingService), when paging is configured. */
    pageCommand?: PageCommand;
  },
): { hotRooms: HotRooms; declarations: ChatDeclarations; mirror: ChatMirror; people: People } {
  const { stores, incidents, platforms, metrics, logger, publicUrl } = deps;
  const hotRooms = new HotRooms({
    store: stores.chat,
    incidents,
    platforms,
    logger: categoryLogger(logger, "rooms"),
    publicUrl,
    enabled: config.createRooms,
  });
  const declarations = new ChatDeclarations({
    store: stores.chat,
    incidents,
    rooms: hotRooms,
    logger: categoryLogger(logger, "bridge"),
    publicUrl,
  });
  const mirror = new ChatMirror({
    stores,
    claims:
      stores.kind === "sqlite" ? undefined : new DeliveryClaims(stores.chat, config.processName),
    incidents,
    metrics,
    logger: categoryLogger(logger, "bridge"),
    declarations,
    roleGiven: (incident, platform, userId) => void hotRooms.invite(incident, platform, [userId]),
    pageCommand: deps.pageCommand,
  });
  const people = new People(platforms, categoryLogger(logger, "bridge"), {
    directory: stores.people,
    identityMap: config.chatIdentityMap,
  });
  return { hotRooms, declarations, mirror, people };
}
