import { z } from "zod";

/**
 * Mattermost's settings: the outgoing webhook's token turns the adapter on, the slash
 * command's token the `/hotdoc` command; a server URL with a bot's access token lets
 * hotdoc post, open channels in a team and read names through the REST API v4.
 */
export const mattermostEnv = z
  .object({
    MATTERMOST_TOKEN: z.string().min(1).optional(),
    MATTERMOST_COMMAND_TOKEN: z.string().min(1).optional(),
    MATTERMOST_URL: z.url().optional(),
    MATTERMOST_BOT_TOKEN: z.string().min(1).optional(),
    /** The team incident channels are created in. */
    MATTERMOST_TEAM_ID: z.string().min(1).optional(),
    /**
     * Whether the emails the server gives name people (`1`/`true`). Off by default: a
     * server that does not require email verification (`RequireEmailVerification`,
     * false by default in server/public/model/config.go) lets anyone set any address.
     */
    MATTERMOST_TRUST_EMAILS: z.enum(["1", "0", "true", "false"]).default("0"),
  })
  .refine((e) => !e.MATTERMOST_URL === !e.MATTERMOST_BOT_TOKEN, {
    message: "MATTERMOST_URL and MATTERMOST_BOT_TOKEN go together",
    path: ["MATTERMOST_BOT_TOKEN"],
  })
  .transform((e) => ({
    token: e.MATTERMOST_TOKEN,
    commandToken: e.MATTERMOST_COMMAND_TOKEN,
    url: e.MATTERMOST_URL?.replace(/\/+$/, ""),
    botToken: e.MATTERMOST_BOT_TOKEN,
    teamId: e.MATTERMOST_TEAM_ID,
    trustEmails: e.MATTERMOST_TRUST_EMAILS === "1" || e.MATTERMOST_TRUST_EMAILS === "true",
  }));
export type MattermostSettings = z.infer<typeof mattermostEnv>;
