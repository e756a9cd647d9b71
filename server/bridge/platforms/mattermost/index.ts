import type { PlatformModule } from "../PlatformModule.ts";
import { MattermostAdapter } from "./MattermostAdapter.ts";
import { MattermostApi } from "./MattermostApi.ts";
import { escapeMattermostText } from "./markdown.ts";

/**
 * Mattermost: an outgoing webhook brings the channel's posts, a `/hotdoc` slash command
 * declares and answers in the channel, and with a bot's token hotdoc posts, opens
 * channels and reads names through the REST API v4.
 */
export const mattermost: PlatformModule<"mattermost"> = {
  platform: "mattermost",
  route: { method: "post", path: "/hooks/mattermost" },
  commandPath: "/hooks/mattermost/commands",
  adapter: (settings) => new MattermostAdapter(settings.token, settings.commandToken),
  api: (settings, deps) =>
    settings.url && settings.botToken ? new MattermostApi(settings, deps) : undefined,
  apiUrl: (settings) => settings.url,
  // https://developers.mattermost.com/integrate/webhooks/incoming/: {"text": …}.
  webhookBody: (text) => ({ text: escapeMattermostText(text) }),
};
