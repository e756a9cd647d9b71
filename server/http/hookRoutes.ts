import { Hono } from "hono";
import type { Announcer } from "../bridge/Announcer.ts";
import type { ChatAdapter } from "../bridge/ChatAdapter.ts";
import type { ChatMirror } from "../bridge/ChatMirror.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { readLimited } from "./body.ts";

/** Largest chat delivery accepted. */
const MAX_HOOK_BYTES = 1024 * 1024;

/**
 * The chat platforms' doors: `POST /hooks/slack|mattermost|teams|generic` and the
 * Matrix application service's `PUT /_matrix/app/v1/transactions/:txnId`. Each checks
 * its platform's signature or token (an adapter without its secret is off and says
 * so), and answers 2xx only once what it carried is durable.
 */
export function hookRoutes(options: {
  adapters: ChatAdapter[];
  mirror: ChatMirror;
  announcer: Announcer;
  logger: Logger;
  metrics: Metrics;
}): Hono {
  const app = new Hono();
  const paths: Record<string, { method: "post" | "put"; path: string }> = {
    slack: { method: "post", path: "/hooks/slack" },
    mattermost: { method: "post", path: "/hooks/mattermost" },
    teams: { method: "post", path: "/hooks/teams" },
    webhook: { method: "post", path: "/hooks/generic" },
    matrix: { method: "put", path: "/_matrix/app/v1/transactions/:txnId" },
  };
  for (const adapter of options.adapters) {
    const { method, path } = paths[adapter.platform];
    app[method](path, async (c) => {
      if (!adapter.enabled) {
        throw new HotdocError(
          "adapter_disabled",
          `the ${adapter.platform} adapter is off: set ${adapter.secretVariable} to turn it on`,
        );
      }
      const raw = await readLimited(c.req.raw.body, MAX_HOOK_BYTES);
      const parsed = adapter.handle({
        raw,
        headers: c.req.raw.headers,
        query: new URL(c.req.url).searchParams,
        params: c.req.param() as Record<string, string>,
        now: Date.now(),
      });
      if (parsed.answer) return c.json(parsed.answer.body as object, parsed.answer.status as 200);
      for (const reason of parsed.skipped ?? []) {
        options.logger.warn(
          { platform: adapter.platform, reason },
          "chat event left out of a delivery",
        );
        options.metrics.chatMessages.inc({ platform: adapter.platform, outcome: "skipped" });
      }
      const outcome = parsed.transaction
        ? await options.mirror.applyTransaction(adapter.platform, parsed.transaction, parsed.events)
        : await options.mirror.apply(parsed.events);
      if (adapter.refusesUnlinkedRooms && outcome.unlinked > 0) {
        throw new HotdocError(
          "room_not_linked",
          "this channel is not linked to an incident: link it with POST /api/incidents/:key/channels",
        );
      }
      if (!adapter.repliesInline && outcome.room)
        void options.announcer.reply(outcome.room.platform, outcome.room.channel, outcome.replies);
      const answer = adapter.answer(outcome.replies);
      return c.json(answer.body as object, answer.status as 200);
    });
  }
  return app;
}
