import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import { matrix } from "./matrix/index.ts";
import { mattermost } from "./mattermost/index.ts";
import type { PlatformModule } from "./PlatformModule.ts";
import { slack } from "./slack/index.ts";
import { teams } from "./teams/index.ts";
import { webhook } from "./webhook/index.ts";

/**
 * Every chat platform hotdoc speaks, one module each. A platform added to the shared
 * list (`shared/chat/platforms.ts`) must be registered here, or this does not compile.
 */
export const PLATFORMS: { [P in ChatPlatform]: PlatformModule<P> } = {
  slack,
  mattermost,
  matrix,
  teams,
  webhook,
};
