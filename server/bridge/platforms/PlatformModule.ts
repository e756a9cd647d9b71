import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import type { Logger } from "../../logger.ts";
import type { OutboundTargets } from "../../net/outboundTarget.ts";
import type { RetryPolicy } from "../../net/retrying.ts";
import type { ChatAdapter } from "../ChatAdapter.ts";
import type { ChatApi } from "../ChatApi.ts";
import type { ChatSettings } from "./chatEnv.ts";

/** What a platform's API client is built with: the outbound policy every request goes through. */
export interface PlatformDeps {
  outbound: OutboundTargets;
  logger: Logger;
  /** Overrides the retry schedule (tests shorten it). */
  retry?: RetryPolicy;
}

/**
 * One chat platform, self-contained in its folder: its env fragment (`env.ts`), how it
 * delivers (route, slash commands), how its deliveries are verified and read (the
 * adapter), how hotdoc talks back (its API client, its incoming-webhook body). The
 * registry lists them; config, routes and the server are derived from that list.
 */
export interface PlatformModule<P extends ChatPlatform = ChatPlatform> {
  readonly platform: P;
  /** Where the platform delivers its events. */
  readonly route: { method: "post" | "put"; path: string };
  /** Where it delivers slash commands (`/hotdoc declare sev2 …`), if it has them. */
  readonly commandPath?: string;
  adapter(settings: ChatSettings[P]): ChatAdapter;
  /** The platform's API client, when its credentials are configured; otherwise undefined. */
  api?(settings: ChatSettings[P], deps: PlatformDeps): ChatApi | undefined;
  /** The API base URL to check against the outbound policy at start-up, when the API is configured. */
  apiUrl?(settings: ChatSettings[P]): string | undefined;
  /** What the room's incoming webhook takes, where the platform has incoming webhooks. */
  webhookBody?(text: string): unknown;
}
