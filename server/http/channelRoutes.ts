import { Hono } from "hono";
import { z } from "zod";
import { can } from "#shared/access.ts";
import { ChatPlatformSchema, incidentKeyInRoomName } from "#shared/chat/chatEvent.ts";
import { UrlSchema } from "#shared/doc/index.ts";
import { authorize } from "../access/authorize.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { type OutboundTargets, TargetRefusedError } from "../net/outboundTarget.ts";
import type { ChatRoomStore } from "../storage/stores.ts";
import { readJson } from "./body.ts";
import type { HttpEnv } from "./env.ts";

const ChannelRequest = z
  .object({
    platform: ChatPlatformSchema,
    channel: z.string().trim().min(1).max(300),
    /** The room's incoming webhook, for announcements back into the room. */
    webhookUrl: UrlSchema.optional(),
  })
  .strict();

/** `POST/GET /api/incidents/:key/channels`: which chat rooms feed an incident's timeline. */
export function channelRoutes(options: {
  store: ChatRoomStore;
  incidents: IncidentService;
  outbound: OutboundTargets;
}): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.post("/:key/channels", async (c) => {
    const key = c.req.param("key");
    const principal = c.get("principal");
    authorize(principal, "edit", key);
    await options.incidents.requireIncident(key);
    const request = await readJson(c, ChannelRequest);
    // Moving a room that feeds another incident takes edit rights on that incident too.
    const existing = await options.store.findChannelLink(request.platform, request.channel);
    if (existing && existing.incident !== key) authorize(principal, "edit", existing.incident);
    // So does moving a room that, by its name, belongs to another incident: the name the
    // platform gave it (recorded from its deliveries) or its id itself (`hot-12`). A room
    // whose name is not known yet is checked when its first delivery names it (ChatMirror).
    const room = await options.store.recordRoomName(request.platform, request.channel, null);
    for (const named of new Set([
      incidentKeyInRoomName(room?.name),
      incidentKeyInRoomName(request.channel),
    ])) {
      if (named && named !== key && !can(principal, "edit", named)) {
        throw new HotdocError(
          "forbidden",
          `this room is named after ${named}: moving it to ${key} takes edit rights on ${named}`,
        );
      }
    }
    if (request.webhookUrl) await checkWebhookUrl(options.outbound, request.webhookUrl);
    const link = {
      ...request,
      incident: key,
      webhookUrl: request.webhookUrl ?? null,
      createdAt: Date.now(),
      createdBy: principal.subject,
    };
    await options.store.linkChannel(link);
    return c.json(await options.store.findChannelLink(request.platform, request.channel), 201);
  });

  app.get("/:key/channels", async (c) => {
    const key = c.req.param("key");
    // Webhook URLs are secrets of the room: only people who may edit the incident see them.
    authorize(c.get("principal"), "edit", key);
    await options.incidents.requireIncident(key);
    return c.json({ channels: await options.store.listChannelLinks(key) });
  });

  return app;
}

/** A webhook URL the server would refuse to post to is refused when it is set, with the reason. */
async function checkWebhookUrl(outbound: OutboundTargets, url: string): Promise<void> {
  try {
    await outbound.check(url);
  } catch (error) {
    if (error instanceof TargetRefusedError)
      throw new HotdocError("validation_failed", `webhookUrl: ${error.message}`, "webhookUrl");
    throw error;
  }
}
