import { Hono } from "hono";
import * as Y from "yjs";
import { z } from "zod";
import { InstantSchema } from "../../shared/doc/index.ts";
import { HotdocError } from "../errors.ts";
import { CONTENT_TYPES, EXPORT_FORMATS, EXTENSIONS, render } from "../export/formats.ts";
import { buildPostmortem } from "../export/postmortem.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { authorize } from "./authorize.ts";
import type { HttpEnv } from "./env.ts";

const ExportQuery = z.object({ format: z.enum(EXPORT_FORMATS).default("markdown"), at: InstantSchema.optional() }).strict();
const AtQuery = z.object({ at: InstantSchema.optional() }).strict();

function query<S extends z.ZodType>(schema: S, url: string): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(url).searchParams));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HotdocError("validation_failed", `${issue.path.join(".") || "query"}: ${issue.message}`, issue.path.join(".") || undefined);
}

/**
 * The postmortem export (`/export?format=…&at=…`) and time travel: the document's
 * state at an instant (`/state?at=…`, a Yjs update) and how far back that reaches
 * (`/history`). Viewers may use all of them.
 */
export function exportRoutes(incidents: IncidentService): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get("/:key/export", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "export", key);
    const { format, at } = query(ExportQuery, c.req.url);
    const postmortem = at
      ? await incidents.withDocAt(key, Date.parse(at), (doc) => buildPostmortem(doc, { asOf: new Date(at).toISOString() }))
      : await incidents.withDoc(key, (doc) => buildPostmortem(doc));
    const suffix = at ? `-at-${new Date(at).toISOString().replace(/[:.]/g, "")}` : "";
    return c.body(render(postmortem, format), 200, {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `inline; filename="${key}-postmortem${suffix}.${EXTENSIONS[format]}"`,
    });
  });

  app.get("/:key/state", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "read", key);
    const { at } = query(AtQuery, c.req.url);
    const state = at
      ? await incidents.withDocAt(key, Date.parse(at), (doc) => Y.encodeStateAsUpdate(doc))
      : await incidents.withDoc(key, (doc) => Y.encodeStateAsUpdate(doc));
    return c.body(state as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/octet-stream" });
  });

  app.get("/:key/history", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "read", key);
    const start = await incidents.historyStart(key);
    return c.json({ start: start === null ? null : new Date(start).toISOString(), now: new Date().toISOString() });
  });

  return app;
}
