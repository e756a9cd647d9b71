import { Hono } from "hono";
import type { OidcSignIn } from "../access/OidcSignIn.ts";
import { clientAddress, type RateLimits } from "../access/RateLimits.ts";
import type { Revocations } from "../access/revokeConnections.ts";
import type { SessionService } from "../access/SessionService.ts";
import type { TokenService } from "../access/TokenService.ts";
import type { Announcer } from "../bridge/Announcer.ts";
import type { ChatDeclarations } from "../bridge/ChatDeclarations.ts";
import type { ChatMirror } from "../bridge/ChatMirror.ts";
import type { ChatPlatforms } from "../bridge/ChatPlatforms.ts";
import type { People } from "../bridge/People.ts";
import { errorBody, HotdocError, httpStatus, toHotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { OutboundTargets } from "../net/outboundTarget.ts";
import type { PagingWiring } from "../paging/wirePaging.ts";
import type { Stores } from "../storage/stores.ts";
import { accessRoutes } from "./accessRoutes.ts";
import { authRoutes } from "./authRoutes.ts";
import { bearerAuth } from "./bearerAuth.ts";
import { channelRoutes } from "./channelRoutes.ts";
import type { HttpEnv } from "./env.ts";
import { exportRoutes } from "./exportRoutes.ts";
import { healthRoutes } from "./healthRoutes.ts";
import { hookRoutes } from "./hookRoutes.ts";
import { incidentRoutes } from "./incidentRoutes.ts";
import { pagerDutyHookRoutes, pagingApiRoutes } from "./pagingRoutes.ts";
import { securityHeaders } from "./securityHeaders.ts";
import { staticRoutes } from "./staticRoutes.ts";

export interface AppOptions {
  platforms: ChatPlatforms;
  mirror: ChatMirror;
  declarations: ChatDeclarations;
  people: People;
  announcer: Announcer;
  /** The policy for URLs the server will send requests to (room webhooks). */
  outbound: OutboundTargets;
  incidents: IncidentService;
  stores: Pick<Stores, "kind" | "ping" | "chat" | "tokens" | "people">;
  metrics: Metrics;
  tokens: TokenService;
  sessions: SessionService;
  /** Sign-in with the identity provider, when one is configured. */
  oidc: { signIn: OidcSignIn; providerName: string } | null;
  /** Session cookies are Secure (and `__Host-`): the public URL is https. */
  secureCookies: boolean;
  /** Ends revoked links' and sessions' live connections on every process. */
  revocations: Revocations;
  logger: Logger;
  clientDir: string;
  counts: () => { connections: number; documents: number };
  publicUrl: () => string;
  startedAt: number;
  /** This process's name (PROCESS_NAME), shown by /healthz. */
  processName: string;
  /** Fan-out between processes (Redis), when configured: /healthz reports it. */
  fanout: { readonly up: boolean } | null;
  /** Exports and time-travel reads running at once, per incident and per token. */
  maxExports: { perIncident: number; perToken: number };
  limits: RateLimits;
  /** Take the client address from X-Forwarded-For (a proxy is in front). */
  trustProxy: boolean;
  /** Paging and publishing (each provider off until configured). */
  paging: Pick<PagingWiring, "paging" | "publishing" | "providers">;
  /** PAGERDUTY_WEBHOOK_SECRET: without it POST /hooks/pagerduty is off. */
  pagerDutyWebhookSecret: string | null;
}

/** Chat platforms' deliveries: their own, larger budget per address. */
const HOOK_PATH = /^\/(hooks\/|_matrix\/)/;
/** The browser's trip through the identity provider. */
const SIGNIN_PATH = /^\/auth\/(login|callback)$/;

/**
 * The HTTP surface (Hono). Errors from every route are mapped to status codes
 * here and only here.
 */
export function createApp(options: AppOptions): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const { logger, metrics } = options;

  app.use("*", async (c, next) => {
    await next();
    const route = c.req.routePath ?? "unmatched";
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
  });
  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    const ip = c.env?.incoming ? clientAddress(c.env.incoming, options.trustProxy) : "unknown";
    c.set("clientIp", ip);
    await options.limits.consume(HOOK_PATH.test(c.req.path) ? "hooks" : "ip", ip);
    await next();
  });

  app.route("/", healthRoutes(options));
  app.route(
    "/auth",
    authRoutes({
      oidc: options.oidc?.signIn ?? null,
      providerName: options.oidc?.providerName ?? null,
      sessions: options.sessions,
      tokens: options.tokens,
      store: options.stores.people,
      revocations: options.revocations,
      limits: options.limits,
      publicUrl: options.publicUrl,
      secureCookies: options.secureCookies,
      logger,
    }),
  );

  const api = new Hono<HttpEnv>();
  api.use(
    "*",
    bearerAuth((token) => options.tokens.verify(token), options.limits, {
      sessions: options.sessions,
      secureCookies: options.secureCookies,
      publicUrl: options.publicUrl,
    }),
  );
  api.route("/incidents", incidentRoutes(options.incidents, options.publicUrl));
  api.route(
    "/incidents",
    channelRoutes({
      store: options.stores.chat,
      incidents: options.incidents,
      outbound: options.outbound,
    }),
  );
  api.route("/incidents", exportRoutes(options.incidents, options.maxExports));
  api.route(
    "/",
    accessRoutes({
      tokens: options.tokens,
      sessions: options.sessions,
      store: options.stores.tokens,
      incidents: options.incidents,
      revocations: options.revocations,
      publicUrl: options.publicUrl,
      logger,
    }),
  );
  api.route(
    "/",
    pagingApiRoutes({ paging: options.paging.paging, publishing: options.paging.publishing }),
  );
  api.all("*", () => {
    throw new HotdocError("not_found", "no such API route");
  });
  app.route("/api", api);

  app.route(
    "/",
    hookRoutes({
      platforms: options.platforms,
      mirror: options.mirror,
      declarations: options.declarations,
      people: options.people,
      announcer: options.announcer,
      logger,
      metrics,
    }),
  );

  app.route(
    "/",
    pagerDutyHookRoutes({
      paging: options.paging.paging,
      secret: options.pagerDutyWebhookSecret,
      logger,
    }),
  );

  app.route("/", staticRoutes(options.clientDir));

  app.onError((error, c) => {
    const typed = toHotdocError(error);
    const status = httpStatus(typed);
    const principal = c.get("principal");
    const line = {
      method: c.req.method,
      path: c.req.path,
      status,
      code: typed.code,
      who: principal?.subject,
      ip: c.get("clientIp"),
    };
    if (status >= 500) logger.error({ ...line, err: error }, typed.message);
    // A flood that is being refused must not flood the log too.
    else if (status === 429) logger.debug(line, `request refused: ${typed.message}`);
    else if (status === 401 || status === 403)
      logger.warn(line, `request refused: ${typed.message}`);
    else logger.info(line, `request refused: ${typed.message}`);
    if (typed.retryAfterSeconds !== undefined)
      c.header("retry-after", String(typed.retryAfterSeconds));
    // A sign-in the browser was sent through ends on the app's own page, which explains it.
    if (c.req.method === "GET" && SIGNIN_PATH.test(c.req.path)) {
      const code = typed.code.startsWith("signin_") ? typed.code : "signin_failed";
      return c.redirect(`/?signin_error=${code}`, 302);
    }
    return c.json(errorBody(typed), status as 400);
  });

  return app;
}
