import type { ChatPlatform } from "#shared/chat/chatEvent.ts";
import type { ChatAdapter } from "./ChatAdapter.ts";
import type { ChatApi } from "./ChatApi.ts";
import type { ChatSettings } from "./platforms/chatEnv.ts";
import type { PlatformDeps, PlatformModule } from "./platforms/PlatformModule.ts";
import { PLATFORMS } from "./platforms/registry.ts";

/** One platform as this server runs it: its module, its adapter, its API client if configured. */
export interface RunningPlatform {
  module: PlatformModule;
  adapter: ChatAdapter;
  api?: ChatApi;
  /** The API's base URL, when the API is configured (checked against the outbound policy at start). */
  apiUrl?: string;
}

/** The registered platforms, built from their settings: what the routes, the announcer and hot rooms use. */
export class ChatPlatforms {
  private readonly running = new Map<ChatPlatform, RunningPlatform>();

  constructor(settings: ChatSettings, deps: PlatformDeps) {
    for (const platform of Object.keys(PLATFORMS) as ChatPlatform[])
      this.running.set(platform, build(PLATFORMS[platform], settings[platform], deps));
  }

  all(): RunningPlatform[] {
    return [...this.running.values()];
  }

  adapters(): ChatAdapter[] {
    return this.all().map((p) => p.adapter);
  }

  /** The platform's API client, when its credentials are configured. */
  api(platform: string): ChatApi | undefined {
    return this.running.get(platform as ChatPlatform)?.api;
  }

  /** What the platform's incoming webhooks take for `text`, or undefined if it has none. */
  webhookBody(platform: string, text: string): unknown {
    return this.running.get(platform as ChatPlatform)?.module.webhookBody?.(text);
  }
}

function build<P extends ChatPlatform>(
  module: PlatformModule<P>,
  settings: ChatSettings[P],
  deps: PlatformDeps,
): RunningPlatform {
  return {
    module: module as unknown as PlatformModule,
    adapter: module.adapter(settings),
    api: module.api?.(settings, deps),
    apiUrl: module.apiUrl?.(settings),
  };
}
