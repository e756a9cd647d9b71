import { slackSignature } from "../bridge/platforms/slack/SlackAdapter.ts";
import type { Logger } from "../logger.ts";

/** The rest of the sample incident, as its Slack room would say it. */
export const DEMO_CONVERSATION: { user: string; text: string }[] = [
  { user: "marco.rossi", text: "EU 5xx rate is at 0.4% and falling, rollback looks good" },
  { user: "dana.kim", text: "Support says new payment failures stopped around 14:36" },
  { user: "aiko.tanaka", text: "obs: orders DB connections back to 310 of 800" },
  { user: "priya.natarajan", text: "decision: keep v2024.11.2 until the retry fix ships" },
  {
    user: "marco.rossi",
    text: "theory: the retry loop in v2024.11.3 never returns connections to the pool",
  },
  { user: "aiko.tanaka", text: "try: replay the EU retry traffic against v2024.11.3 in staging" },
  { user: "dana.kim", text: "Internal update sent on the status page and by email" },
  { user: "marco.rossi", text: "!key error rate back to baseline for 10 minutes" },
  { user: "priya.natarajan", text: "status resolved" },
  {
    user: "priya.natarajan",
    text: "Thanks all. Postmortem draft is the doc, owners on the follow-ups please",
  },
];

/**
 * Replays a conversation through the real Slack adapter: each message is an Events
 * API delivery, signed with the signing secret, posted to this server's /hooks/slack
 * a few seconds apart, so a newcomer watches the timeline fill live.
 */
export async function replaySlackConversation(options: {
  baseUrl: string;
  signingSecret: string;
  channel: string;
  logger: Logger;
  delayMs?: number;
  conversation?: { user: string; text: string }[];
}): Promise<void> {
  const { baseUrl, signingSecret, channel, logger } = options;
  for (const [index, message] of (options.conversation ?? DEMO_CONVERSATION).entries()) {
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 3000));
    const seconds = Date.now() / 1000;
    const body = JSON.stringify({
      token: "demo",
      team_id: "T0DEMO",
      api_app_id: "A0DEMO",
      type: "event_callback",
      event_id: `EvDemo${Date.now()}${index}`,
      event_time: Math.floor(seconds),
      event: {
        type: "message",
        channel,
        channel_type: "channel",
        user: message.user,
        text: message.text,
        ts: seconds.toFixed(6),
        event_ts: seconds.toFixed(6),
      },
    });
    const timestamp = Math.floor(seconds);
    try {
      const response = await fetch(`${baseUrl}/hooks/slack`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": slackSignature(signingSecret, timestamp, Buffer.from(body)),
        },
        body,
      });
      if (!response.ok) logger.warn({ status: response.status }, "demo message refused");
    } catch (error) {
      logger.warn({ err: error }, "demo replay stopped");
      return;
    }
  }
  logger.info("demo conversation replayed");
}
