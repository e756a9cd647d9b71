import { z } from "zod";

/** Teams' settings: the outgoing webhook's security token turns the adapter on; rooms talk back through their Workflows webhook URL. */
export const teamsEnv = z
  .object({
    TEAMS_SECRET: z
      .base64("TEAMS_SECRET is the base64 security token Teams shows when the webhook is created")
      .optional(),
  })
  .transform((e) => ({ secret: e.TEAMS_SECRET }));
