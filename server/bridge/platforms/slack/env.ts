import { z } from "zod";

/** Slack's settings: the Events API signing secret turns the adapter on; a bot token lets hotdoc talk through the Web API. */
export const slackEnv = z
  .object({
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    /** The app's own bot id (B…), whose messages are never mirrored back. */
    SLACK_BOT_ID: z.string().min(1).optional(),
    SLACK_BOT_TOKEN: z
      .string()
      .regex(/^xoxb-/, "SLACK_BOT_TOKEN is the app's bot token (xoxb-…)")
      .optional(),
    /** The Web API's base URL; only tests point it elsewhere. */
    SLACK_API_URL: z.url().default("https://slack.com/api/"),
  })
  .transform((e) => ({
    signingSecret: e.SLACK_SIGNING_SECRET,
    botId: e.SLACK_BOT_ID,
    botToken: e.SLACK_BOT_TOKEN,
    apiUrl: e.SLACK_API_URL.endsWith("/") ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
  }));
export type SlackSettings = z.infer<typeof slackEnv>;
