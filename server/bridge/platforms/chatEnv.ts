import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import { matrixEnv } from "./matrix/env.ts";
import { mattermostEnv } from "./mattermost/env.ts";
import { slackEnv } from "./slack/env.ts";
import { teamsEnv } from "./teams/env.ts";
import { webhookEnv } from "./webhook/env.ts";

/** Every platform's environment fragment, by platform: the configuration reads them all. */
export const CHAT_ENV = {
  slack: slackEnv,
  mattermost: mattermostEnv,
  matrix: matrixEnv,
  teams: teamsEnv,
  webhook: webhookEnv,
} satisfies Record<ChatPlatform, unknown>;

/** Each platform's settings, as its fragment parsed them. */
export type ChatSettings = {
  [P in keyof typeof CHAT_ENV]: import("zod").infer<(typeof CHAT_ENV)[P]>;
};
