import { Hono } from "hono";
import { can } from "#shared/access.ts";
import {
  appendTimelineEntry,
  IncidentCreateInput,
  IncidentFieldsInput,
  readIncident,
  readTimelineEntry,
  StatusSchema,
  setIncidentFields,
  TimelineEntryInput,
} from "#shared/doc/index.ts";
import { withoutUnsentComms } from "#shared/doc/unsentComms.ts";
import { authorize } from "../access/authorize.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { readJson } from "./body.ts";
import type { HttpEnv } from "./env.ts";

/** PATCH body: any incident field, plus a status move. */
const IncidentPatch = IncidentFieldsInput.extend({ status: StatusSchema.optional() })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: "nothing to change" });

/** Timeline entries posted over REST; the author is the caller (an admin may name another). */
const TimelinePost = TimelineEntryInput.extend({
  author: TimelineEntryInput.shape.author.optional(),
}).strict();

/** /api/incidents — declare, list, read, patch, add to the timeline. */
export function incidentRoutes(incidents: IncidentService, publicUrl: () => string): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.post("/", async (c) => {
    authorize(c.get("principal"), "create_incident");
    const input = await readJson(c, IncidentCreateInput);
    const document = await incidents.create(input, c.get("principal"));
    return c.json({ ...document, url: `${publicUrl()}/${document.key}` }, 201);
  });

  app.get("/", async (c) => {
    const principal = c.get("principal");
    const visible = (await incidents.list()).filter((incident) =>
      can(principal, "read", incident.key),
    );
    return c.json({ incidents: visible });
  });

  app.get("/:key", async (c) => {
    const key = c.req.param("key");
    const principal = c.get("principal");
    authorize(principal, "read", key);
    const incident = await incidents.read(key);
    // Unsent drafts are for those who can send them; a viewer's read gets what was sent.
    // (Hidden, not secret: a viewer's websocket still syncs the whole document, drafts included.)
    return c.json(can(principal, "edit", key) ? incident : withoutUnsentComms(incident));
  });

  app.patch("/:key", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "edit", key);
    await incidents.requireIncident(key);
    const patch = await readJson(c, IncidentPatch);
    const document = await incidents.write(key, c.get("principal"), (doc, actor) => {
      setIncidentFields(doc, patch, actor);
      return readIncident(doc);
    });
    return c.json(document);
  });

  app.post("/:key/timeline", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "edit", key);
    await incidents.requireIncident(key);
    const input = await readJson(c, TimelinePost);
    const principal = c.get("principal");
    const entry = await incidents.write(key, principal, (doc) => {
      const { id } = appendTimelineEntry(doc, {
        ...input,
        // A person writes under their own name; only the operator's admin token (imports,
        // integrations it runs) may say who an entry is by and where it came from.
        author: (principal.role === "admin" ? input.author : undefined) ?? principal.name,
        source: (principal.role === "admin" ? input.source : undefined) ?? "api",
      });
      return readTimelineEntry(doc, id);
    });
    if (!entry) throw new HotdocError("internal", "entry was not written");
    return c.json({ entry }, 201);
  });

  return app;
}
