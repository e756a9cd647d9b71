import { z } from "zod";

/**
 * Matrix's settings: the homeserver's hs_token turns the application service on; its
 * as_token with the homeserver's URL lets hotdoc send, create rooms and read profiles
 * through the client-server API.
 */
export const matrixEnv = z
  .object({
    MATRIX_HS_TOKEN: z.string().min(1).optional(),
    MATRIX_AS_TOKEN: z.string().min(1).optional(),
    MATRIX_HOMESERVER_URL: z.url().optional(),
  })
  .refine((e) => !e.MATRIX_AS_TOKEN === !e.MATRIX_HOMESERVER_URL, {
    message: "MATRIX_AS_TOKEN and MATRIX_HOMESERVER_URL go together",
    path: ["MATRIX_HOMESERVER_URL"],
  })
  .transform((e) => ({
    hsToken: e.MATRIX_HS_TOKEN,
    asToken: e.MATRIX_AS_TOKEN,
    homeserverUrl: e.MATRIX_HOMESERVER_URL?.replace(/\/+$/, ""),
  }));
export type MatrixSettings = z.infer<typeof matrixEnv>;
