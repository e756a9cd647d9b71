import { Hono } from "hono";
import { EscalateInput, PublishInput } from "#shared/paging.ts";
import { authorize } from "../access/authorize.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { PagingService } from "../paging/PagingService.ts";
import type { PublishService } from "../paging/PublishService.ts";
import { parsePagerDutyWebhook, verifyPagerDutySignature } from "../paging/pagerDutyWebhook.ts";
import { readJson, readLimited } from "./body.ts";
import type { HttpEnv } from "./env.ts";

/** PagerDuty guarantees webhook payloads up to 55 KB and drops those over 256 KB. */
const MAX_PAGERDUTY_BYTES = 256 * 1024;

/**
 * The paging API (under /api, behind the session or token check):
 * GET /paging, POST /incidents/:key/pages, POST /incidents/:key/comms/:id/publish.
 */
export function pagingApiRoutes(options: {
  paging: PagingService;
  publishing: PublishService;
}): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get("/paging", (c) => c.json(options.paging.options()));

  app.post("/incidents/:key/pages", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "edit", key);
    const input = await readJson(c, EscalateInput);
    const pages = await options.paging.escalate(key, input.team, input.note, c.get("principal"));
    return c.json({ pages });
  });

  app.post("/incidents/:key/comms/:id/publish", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "edit", key);
    await readJson(c, PublishInput);
    const publications = await options.publishing.publish(
      key,
      c.req.param("id"),
      c.get("principal"),
    );
    return c.json({ publications });
  });

  return app;
}

/**
 * PagerDuty's v3 webhook (`POST /hooks/pagerduty`): signature checked over the raw body
 * with PAGERDUTY_WEBHOOK_SECRET before anything is parsed; an acknowledgement or
 * resolution of a page hotdoc sent updates that page. Off (404) without the secret.
 * Answers 2xx for every authentic event, about our pages or not, so PagerDuty does not
 * retry or disable the subscription; 401 for a bad signature, 400 for a bad body.
 */
export function pagerDutyHookRoutes(options: {
  paging: PagingService;
  secret: string | null;
  logger: Logger;
}): Hono {
  const app = new Hono();
  app.post("/hooks/pagerduty", async (c) => {
    if (!options.secret)
      throw new HotdocError(
        "not_found",
        "PagerDuty webhooks are off: set PAGERDUTY_WEBHOOK_SECRET",
      );
    const raw = (await readLimited(c.req.raw.body, MAX_PAGERDUTY_BYTES)).toString("utf8");
    if (!verifyPagerDutySignature(raw, c.req.header("x-pagerduty-signature"), options.secret))
      throw new HotdocError("signature_invalid", "X-PagerDuty-Signature does not match");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HotdocError("invalid_json", "the webhook body is not JSON");
    }
    const event = parsePagerDutyWebhook(json);
    if (!event) {
      options.logger.debug({}, "PagerDuty webhook event not about an incident; ignored");
      return c.json({ ok: true, matched: false }, 202);
    }
    const matched = await options.paging.fromPagerDuty(event);
    return c.json({ ok: true, matched }, 202);
  });
  return app;
}
