import { Hono } from "hono";
import * as Y from "yjs";
import { z } from "zod";
import { can } from "#shared/access.ts";
import { InstantSchema } from "#shared/doc/index.ts";
import { encodeWithoutUnsentComms } from "#shared/doc/unsentComms.ts";
import { DEFAULT_EXPORT_FORMAT, EXPORT_FORMAT_IDS, exportFileName } from "#shared/exportFormats.ts";
import { authorize } from "../access/authorize.ts";
import { exportFormat } from "../export/formats.ts";
import { buildPostmortem } from "../export/postmortem.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import { ConcurrencyGate } from "./ConcurrencyGate.ts";
import type { HttpEnv } from "./env.ts";

const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMAT_IDS).default(DEFAULT_EXPORT_FORMAT),
    at: InstantSchema.optional(),
  })
  .strict();
const AtQuery = z.object({ at: InstantSchema.optional() }).strict();

type HttpEnvPrincipal = HttpEnv["Variables"]["principal"];

/** Bytes sent by the server while it holds them. */
const CHUNK_BYTES = 256 * 1024;

/**
 * The answer's bytes as a stream that gives the gate's slot back once the last
 * chunk has been handed to the socket, or when the client goes away. Returning the
 * bytes whole would release the slot while they were still being sent, and the
 * memory they hold is what the slot bounds.
 */
function sendThenRelease(bytes: Uint8Array, release: () => void): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        release();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
    },
    cancel() {
      release();
    },
  });
}

/** The query string parsed with `schema`; a bad one is a 400 validation_failed naming the parameter. */
function query<S extends z.ZodType>(schema: S, url: string): z.infer<S> {
  return schema.parse(Object.fromEntries(new URL(url).searchParams));
}

/**
 * How an export is answered. Every export is an attachment (a browser saves it and
 * never renders it in the app's origin, where the token lives), and a sandboxing
 * Content-Security-Policy covers the case where something renders it anyway: no
 * script, no request, an opaque origin.
 */
const EXPORT_RESPONSE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'";

/**
 * The postmortem export (`/export?format=…&at=…`) and time travel: the document's
 * state at an instant (`/state?at=…`, a Yjs update) and how far back that reaches
 * (`/history`). Viewers may use all of them. Exports and reads at an instant are
 * the expensive ones: at most `limits.perIncident` run at once on one incident and
 * `limits.perToken` for one token; more answer 429 `rate_limited` with Retry-After.
 */
export function exportRoutes(
  incidents: IncidentService,
  limits: { perIncident: number; perToken: number },
): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const gate = new ConcurrencyGate(limits);

  // Which slot a caller's reads count against: its revocable token, else its subject (the admin token).
  const holder = (principal: HttpEnvPrincipal) => principal.tokenId ?? principal.subject;

  app.get("/:key/export", async (c) => {
    const key = c.req.param("key");
    const principal = c.get("principal");
    authorize(principal, "export", key);
    const { format, at } = query(ExportQuery, c.req.url);
    const { render, contentType } = exportFormat(format);
    const release = gate.enter(key, holder(principal));
    try {
      const postmortem = at
        ? await incidents.withDocAt(key, Date.parse(at), (doc) =>
            buildPostmortem(doc, { asOf: new Date(at).toISOString() }),
          )
        : await incidents.withDoc(key, (doc) => buildPostmortem(doc));
      return c.body(sendThenRelease(Buffer.from(render(postmortem)), release), 200, {
        "content-type": contentType,
        "content-disposition": `attachment; filename="${exportFileName(key, format, at)}"`,
        "content-security-policy": EXPORT_RESPONSE_CSP,
        "x-content-type-options": "nosniff",
      });
    } catch (error) {
      release();
      throw error;
    }
  });

  app.get("/:key/state", async (c) => {
    const key = c.req.param("key");
    const principal = c.get("principal");
    authorize(principal, "read", key);
    const { at } = query(AtQuery, c.req.url);
    // Unsent comms drafts are for those who can send them: a viewer's copy leaves them out.
    // (Hidden, not secret: a viewer's websocket still syncs the whole document, drafts
    // included; Yjs has no partial sync.)
    const encode = can(principal, "edit", key) ? Y.encodeStateAsUpdate : encodeWithoutUnsentComms;
    if (!at) {
      // The live document's state: no rebuild from the log, as cheap as a client's sync.
      const state = await incidents.withDoc(key, (doc) => encode(doc));
      return c.body(state as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/octet-stream",
      });
    }
    const release = gate.enter(key, holder(principal));
    try {
      const state = await incidents.withDocAt(key, Date.parse(at), (doc) => encode(doc));
      return c.body(sendThenRelease(state, release), 200, {
        "content-type": "application/octet-stream",
      });
    } catch (error) {
      release();
      throw error;
    }
  });

  app.get("/:key/history", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "read", key);
    const start = await incidents.historyStart(key);
    return c.json({
      start: start === null ? null : new Date(start).toISOString(),
      now: new Date().toISOString(),
    });
  });

  return app;
}
