import type { PlatformModule } from "../PlatformModule.ts";
import { SlackAdapter } from "./SlackAdapter.ts";
import { SlackApi } from "./SlackApi.ts";
import { escapeSlackText } from "./slackText.ts";

export const slack: PlatformModule<"slack"> = {
  platform: "slack",
  route: { method: "post", path: "/hooks/slack" },
  // The app's slash command (`/hotdoc`) posts here: its Request URL in the app's settings.
  commandPath: "/hooks/slack/commands",
  adapter: (settings) => new SlackAdapter(settings.signingSecret, settings.botId),
  // With a bot token (xoxb-…) hotdoc talks through the Web API; without, through incoming webhooks.
  api: (settings, deps) => (settings.botToken ? new SlackApi(settings, deps) : undefined),
  apiUrl: (settings) => (settings.botToken ? settings.apiUrl : undefined),
  // https://api.slack.com/messaging/webhooks: an incoming webhook takes {"text": …}.
  // Escaped as Slack's formatting rules ask, so `<!channel>` or a `<url|label>` in what
  // someone wrote cannot become a mention or a link.
  webhookBody: (text) => ({ text: escapeSlackText(text) }),
};
