import { Hono } from "hono";
import { COMMAND_HELP, parseChatCommand } from "#shared/chat/commands.ts";
import type { Announcer } from "../bridge/Announcer.ts";
import type { ChatAdapter, Delivery } from "../bridge/ChatAdapter.ts";
import type { ChatDeclarations } from "../bridge/ChatDeclarations.ts";
import type { ChatMirror } from "../bridge/ChatMirror.ts";
import type { ChatPlatforms } from "../bridge/ChatPlatforms.ts";
import type { People } from "../bridge/People.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { readLimited } from "./body.ts";

/** Largest chat delivery accepted. */
const MAX_HOOK_BYTES = 1024 * 1024;

/**
 * The chat platforms' doors, one per registered platform at the path its module names
 * (`POST /hooks/slack`, the Matrix application service's `PUT
 * /_matrix/app/v1/transactions/:txnId`…), plus slash commands where the platform has
 * them (`POST /hooks/slack/commands`). Each checks its platform's signature or token
 * (an adapter without its secret is off and says so), and answers 2xx only once what
 * it carried is durable.
 */
export function hookRoutes(options: {
  platforms: ChatPlatforms;
  mirror: ChatMirror;
  declarations: ChatDeclarations;
  people: People;
  announcer: Announcer;
  logger: Logger;
  metrics: Metrics;
}): Hono {
  const app = new Hono();
  for (const { module, adapter } of options.platforms.all()) {
    const { method, path } = module.route;
    app[method](path, async (c) => {
      const parsed = adapter.handle(
        await delivery(adapter, c.req.raw, c.req.param(), adapter.enabled, adapter.secretVariable),
      );
      if (parsed.answer) return c.json(parsed.answer.body as object, parsed.answer.status as 200);
      for (const reason of parsed.skipped ?? []) {
        options.logger.warn(
          { platform: adapter.platform, reason },
          "chat event left out of a delivery",
        );
        options.metrics.chatMessages.inc({ platform: adapter.platform, outcome: "skipped" });
      }
      const events = await options.people.name(parsed.events);
      const outcome = parsed.transaction
        ? await options.mirror.applyTransaction(adapter.platform, parsed.transaction, events)
        : await options.mirror.apply(events);
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
    if (module.commandPath && adapter.handleCommand && adapter.commandAnswer) {
      const handleCommand = adapter.handleCommand.bind(adapter);
      const commandAnswer = adapter.commandAnswer.bind(adapter);
      app.post(module.commandPath, async (c) => {
        const command = handleCommand(
          await delivery(
            adapter,
            c.req.raw,
            c.req.param(),
            adapter.commandsEnabled ?? adapter.enabled,
            adapter.commandSecretVariable ?? adapter.secretVariable,
          ),
        );
        const name =
          (await options.people.lookup(command.platform, command.userId)) ?? command.userName;
        const text = command.text.trim();
        // A slash command addresses the bot by definition.
        const parsed = parseChatCommand(`/hotdoc ${text}`);
        const type = "command" in parsed ? parsed.command.type : undefined;
        let replies: string[];
        if (!text || type === "help") {
          replies = [COMMAND_HELP];
        } else if (type === "link") {
          // A slash command works from any channel or direct message, the bot's or not: a
          // room is linked only by saying so in it, where the bot reads.
          replies = [
            "Say `link HOT-12` as a message in the channel itself, with hotdoc in it; a slash command can come from anywhere, so it links nothing.",
          ];
        } else if ("command" in parsed && parsed.command.type === "declare") {
          replies = await options.declarations.declare({
            platform: command.platform,
            channel: command.channel,
            userId: command.userId,
            userName: name,
            severity: parsed.command.severity,
            summary: parsed.command.summary,
            id: `command-${command.id}`,
          });
        } else {
          // Any other command acts as if typed in the room, under the command's own id.
          const outcome = await options.mirror.apply([
            {
              action: "post",
              platform: command.platform,
              channel: command.channel,
              channelName: command.channelName,
              messageId: `command-${command.id}`,
              author: name,
              authorId: command.userId,
              text: `/hotdoc ${text}`,
              at: command.at,
            },
          ]);
          replies = outcome.replies;
          if (outcome.unlinked > 0)
            replies.push(
              "This channel is not linked to an incident: `/hotdoc declare sev2 <summary>` declares one, `/hotdoc link HOT-12` links it.",
            );
          else if (replies.length === 0) replies.push(`Done: ${text}`);
        }
        const answer = commandAnswer(replies.join("\n"));
        return c.json(answer.body as object, answer.status as 200);
      });
    }
  }
  return app;
}

/** Reads a delivery off the request, once its adapter is known to be on. */
async function delivery(
  adapter: ChatAdapter,
  request: Request,
  params: Record<string, string>,
  enabled: boolean,
  variable: string,
): Promise<Delivery> {
  if (!enabled) {
    throw new HotdocError(
      "adapter_disabled",
      `the ${adapter.platform} adapter is off: set ${variable} to turn it on`,
    );
  }
  return {
    raw: await readLimited(request.body, MAX_HOOK_BYTES),
    headers: request.headers,
    query: new URL(request.url).searchParams,
    params,
    now: Date.now(),
  };
}
