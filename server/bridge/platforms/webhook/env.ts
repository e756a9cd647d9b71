import { z } from "zod";

/** The generic signed webhook's settings: its HMAC secret turns it on. */
export const webhookEnv = z
  .object({
    WEBHOOK_SECRET: z.string().min(16, "WEBHOOK_SECRET must be at least 16 characters").optional(),
  })
  .transform((e) => ({ secret: e.WEBHOOK_SECRET }));
