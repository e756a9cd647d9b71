import { Hono } from "hono";
import { z } from "zod";
import { PersonName, type Principal, TOKEN_ROLES } from "#shared/access.ts";
import { IncidentKeySchema } from "#shared/doc/index.ts";
import { authorize } from "../access/authorize.ts";
import type { Revocations } from "../access/revokeConnections.ts";
import type { SessionService } from "../access/SessionService.ts";
import type { TokenService } from "../access/TokenService.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { AccessTokenRecord } from "../storage/records.ts";
import type { AccessTokenStore } from "../storage/stores.ts";
import { readJson } from "./body.ts";
import type { HttpEnv } from "./env.ts";

const DAY = 86_400;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: DAY } as const;

/** `3600`, or `"90m"`, `"12h"`, `"7d"`; at most a year. */
const ExpiresIn = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^\d+[smhd]$/, 'use seconds or a duration like "90m", "12h", "7d"')
      .transform(
        (value) =>
          Number(value.slice(0, -1)) * UNIT_SECONDS[value.at(-1) as keyof typeof UNIT_SECONDS],
      ),
  ])
  .pipe(
    z
      .number()
      .int()
      .min(60, "at least one minute")
      .max(365 * DAY, "at most a year"),
  );

const LinkRequest = z
  .object({
    role: z.enum(["responder", "viewer"]),
    name: PersonName.optional(),
    expiresIn: ExpiresIn.default(7 * DAY),
  })
  .strict();

const TokenRequest = z
  .object({
    role: z.enum(TOKEN_ROLES),
    scope: z.union([z.literal("*"), IncidentKeySchema]),
    name: PersonName,
    expiresIn: ExpiresIn.default(30 * DAY),
  })
  .strict();

function publicRecord(record: AccessTokenRecord) {
  return {
    id: record.id,
    role: record.role,
    name: record.name,
    scope: record.scope,
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
    createdBy: record.createdBy,
    revokedAt: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
    shared: record.shared,
    parent: record.parent,
  };
}

/** What `GET /api/me` (and a link exchange) tells a client about who it is. */
export function meOf(principal: Principal, csrf?: string) {
  return {
    subject: principal.subject,
    name: principal.name,
    role: principal.role,
    scope: principal.scope,
    ...(principal.email ? { email: principal.email } : {}),
    via: principal.sessionId ? "session" : "token",
    ...(csrf ? { csrf } : {}),
    shared: principal.shared === true,
    ...(principal.expiresAt ? { expiresAt: new Date(principal.expiresAt).toISOString() } : {}),
  };
}

/** Share links per incident, tokens of any scope, and "who am I". */
export function accessRoutes(options: {
  tokens: TokenService;
  sessions: SessionService;
  store: AccessTokenStore;
  incidents: IncidentService;
  revocations: Revocations;
  publicUrl: () => string;
  logger: Logger;
}): Hono<HttpEnv> {
  const { tokens, sessions, store, incidents, revocations, publicUrl, logger } = options;
  const app = new Hono<HttpEnv>();

  app.get("/me", (c) => c.json(meOf(c.get("principal"), c.get("csrf"))));

  app.get("/sessions", async (c) => {
    authorize(c.get("principal"), "manage_tokens");
    return c.json({
      sessions: (await sessions.list()).map((s) => ({
        id: s.id,
        subject: s.subject,
        name: s.name,
        email: s.email,
        role: s.role,
        scope: s.scope,
        via: s.via,
        tokenId: s.tokenId,
        createdAt: new Date(s.createdAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
        revokedAt: s.revokedAt === null ? null : new Date(s.revokedAt).toISOString(),
      })),
    });
  });

  app.delete("/sessions/:id", async (c) => {
    const principal = c.get("principal");
    authorize(principal, "manage_tokens");
    const id = c.req.param("id");
    if (!(await sessions.revoke(id))) throw new HotdocError("not_found", `no session ${id}`);
    const closed = await revocations.sessionEnded(id);
    logger.info(
      { session: id, who: principal.subject, closedConnections: closed },
      "session revoked",
    );
    return c.body(null, 204);
  });

  app.post("/incidents/:key/links", async (c) => {
    const key = c.req.param("key");
    const principal = c.get("principal");
    authorize(principal, "manage_links", key);
    await incidents.requireIncident(key);
    const request = await readJson(c, LinkRequest);
    // A responder link without a name is a team's: each person who opens it is asked
    // their name and given a personal link. A viewer link is a stakeholder's window and
    // asks nobody anything.
    const { token, record } = await tokens.mint({
      role: request.role,
      scope: key,
      name: request.name ?? (request.role === "viewer" ? "Viewer" : "Responder"),
      expiresInSeconds: request.expiresIn,
      createdBy: principal.subject,
      shared: request.role === "responder" && request.name === undefined,
    });
    logger.info(
      { incident: key, link: record.id, role: record.role, who: principal.subject },
      "share link minted",
    );
    return c.json(
      { ...publicRecord(record), token, url: `${publicUrl()}/${key}#token=${token}` },
      201,
    );
  });

  app.get("/incidents/:key/links", async (c) => {
    const key = c.req.param("key");
    authorize(c.get("principal"), "manage_links", key);
    await incidents.requireIncident(key);
    return c.json({ links: (await store.listAccessTokens(key)).map(publicRecord) });
  });

  app.delete("/incidents/:key/links/:id", async (c) => {
    const key = c.req.param("key");
    const id = c.req.param("id");
    const principal = c.get("principal");
    authorize(principal, "manage_links", key);
    const record = (await store.listAccessTokens(key)).find((r) => r.id === id);
    if (!record) throw new HotdocError("not_found", `no link ${id} on ${key}`);
    await tokens.revoke(id);
    const closed = await revocations.tokensRevoked([id, ...(await store.childTokens(id))]);
    logger.info(
      { incident: key, link: id, who: principal.subject, closedConnections: closed },
      "share link revoked",
    );
    return c.body(null, 204);
  });

  app.post("/tokens", async (c) => {
    const principal = c.get("principal");
    authorize(principal, "manage_tokens");
    const request = await readJson(c, TokenRequest);
    if (request.scope !== "*") await incidents.requireIncident(request.scope);
    const { token, record } = await tokens.mint({
      role: request.role,
      scope: request.scope,
      name: request.name,
      expiresInSeconds: request.expiresIn,
      createdBy: principal.subject,
    });
    logger.info(
      { token: record.id, role: record.role, scope: record.scope, who: principal.subject },
      "token minted",
    );
    return c.json({ ...publicRecord(record), token }, 201);
  });

  app.get("/tokens", async (c) => {
    authorize(c.get("principal"), "manage_tokens");
    return c.json({ tokens: (await store.listAccessTokens()).map(publicRecord) });
  });

  app.delete("/tokens/:id", async (c) => {
    const principal = c.get("principal");
    authorize(principal, "manage_tokens");
    const id = c.req.param("id");
    if (!(await tokens.revoke(id))) throw new HotdocError("not_found", `no token ${id}`);
    await revocations.tokensRevoked([id, ...(await store.childTokens(id))]);
    logger.info({ token: id, who: principal.subject }, "token revoked");
    return c.body(null, 204);
  });

  return app;
}
