import type { IncomingMessage, Server } from "node:http";
import { Hocuspocus } from "@hocuspocus/server";
import { createAdaptorServer } from "@hono/node-server";
import { HEARTBEAT_INTERVAL_MS } from "#shared/heartbeat.ts";
import { OidcSignIn } from "./access/OidcSignIn.ts";
import { clientAddress, RateLimits } from "./access/RateLimits.ts";
import { Revocations } from "./access/revokeConnections.ts";
import { SessionService } from "./access/SessionService.ts";
import { TokenService } from "./access/TokenService.ts";
import type { HotRooms } from "./bridge/HotRooms.ts";
import { startChatPlatforms, wireBridge } from "./bridge/wireBridge.ts";
import { type ClusterBus, LocalBus, PostgresBus } from "./cluster/ClusterBus.ts";
import { type Config, ConfigError } from "./config.ts";
import { routeConsole } from "./consoleRouting.ts";
import { AnnouncementExtension } from "./extensions/AnnouncementExtension.ts";
import { AuthenticationExtension } from "./extensions/AuthenticationExtension.ts";
import { DocumentLimitsExtension } from "./extensions/DocumentLimitsExtension.ts";
import { LoggingExtension } from "./extensions/LoggingExtension.ts";
import { PagingExtension } from "./extensions/PagingExtension.ts";
import {
  type HoldAcknowledgements,
  PersistenceExtension,
} from "./extensions/PersistenceExtension.ts";
import { PresenceExtension } from "./extensions/PresenceExtension.ts";
import { RateLimitExtension } from "./extensions/RateLimitExtension.ts";
import { RedisFanout } from "./extensions/RedisFanout.ts";
import { RemovedTextExtension } from "./extensions/RemovedTextExtension.ts";
import { RoomTopicExtension } from "./extensions/RoomTopicExtension.ts";
import { UpdateOrderExtension } from "./extensions/UpdateOrderExtension.ts";
import { createApp } from "./http/app.ts";
import { listen } from "./http/listen.ts";
import { IncidentService } from "./incidents/IncidentService.ts";
import { categoryLogger, createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { OutboundTargets } from "./net/outboundTarget.ts";
import { type PagingWiring, wirePaging } from "./paging/wirePaging.ts";
import { readTeamLink, resolveAdminToken, resolveTokenSecret, writeTeamLink } from "./secrets.ts";
import { Heartbeat } from "./sockets/Heartbeat.ts";
import { heldSocketOf } from "./sockets/HeldSocket.ts";
import { hocuspocusEndpoint, upgradeRouter } from "./sockets/upgradeRouter.ts";
import { yWebsocketEndpoint } from "./sockets/yWebsocketEndpoint.ts";
import { createStores } from "./storage/createStores.ts";
import type { Stores } from "./storage/stores.ts";

export interface RunningHotdoc {
  url: string;
  /** Where this process itself can reach the server (the bound address), whatever PUBLIC_URL says. */
  localUrl: string;
  port: number;
  adminToken: string;
  adminTokenGenerated: boolean;
  /** The shared team link's token people open the app with (null with an identity provider). */
  teamLink: string | null;
  hocuspocus: Hocuspocus;
  stores: Stores;
  incidents: IncidentService;
  tokens: TokenService;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: builds the stores, the Hocuspocus extensions (their order
 * in the list is the policy), the HTTP app and the websocket endpoints, and listens.
 */
export async function startHotdoc(
  config: Config,
  options: { logger?: Logger; stores?: Stores } = {},
): Promise<RunningHotdoc> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Opened (and migrated) before the console is routed into the log, so a refusal to
  // start (a database newer than this code) is printed plainly.
  const stores =
    options.stores ?? (await createStores({ dataDir: config.dataDir, database: config.database }));
  // Revocations reach every process sharing the database through it (LISTEN/NOTIFY).
  const bus: ClusterBus = config.database
    ? new PostgresBus({ ...config.database, logger: categoryLogger(logger, "cluster") })
    : new LocalBus();
  if (bus instanceof PostgresBus) await bus.start();
  const unrouteConsole = routeConsole(logger);
  const admin = resolveAdminToken(config.dataDir, config.adminToken);

  const tokenSecret = resolveTokenSecret(config.dataDir, config.tokenSecret);
  const tokens = new TokenService({
    secret: tokenSecret,
    adminToken: admin.token,
    store: stores.tokens,
  });
  const retired = await tokens.retireEarlierAdminTokens();
  if (retired > 0)
    logger.info({ retired }, "the admin token changed: links minted from the old one are revoked");
  // Without an identity provider, the way in for people is a team link, never the admin token.
  let teamLink: string | null = null;
  if (!config.oidc) {
    if (stores.kind === "sqlite") {
      const team = await tokens.bootstrapLink(readTeamLink(config.dataDir));
      if (team.minted) writeTeamLink(config.dataDir, team.token);
      teamLink = team.token;
    } else {
      // Every process sharing the database prints (and honours) the same team link.
      teamLink = (await tokens.clusterBootstrapLink(stores.settings)).token;
    }
  }
  const verify = (token: string) => tokens.verify(token);
  const sessions = new SessionService({ stores, lifetimeMs: config.sessionHours * 3_600_000 });
  const secureCookies = config.publicUrl?.startsWith("https:") === true;
  let publicUrl = config.publicUrl ?? "";
  const limits = new RateLimits(config.rateLimits);

  let hocuspocus: Hocuspocus | undefined;
  const heartbeat = new Heartbeat(HEARTBEAT_INTERVAL_MS);
  const counts = () => ({
    connections: hocuspocus?.getConnectionsCount() ?? 0,
    documents: hocuspocus?.getDocumentsCount() ?? 0,
  });
  const metrics = createMetrics({
    connections: () => counts().connections,
    documents: () => counts().documents,
    processName: config.processName,
  });
  // Extensions never handle a socket: the doors' HeldSocket holds a connection's frames for them.
  const holdAcknowledgements: HoldAcknowledgements = (connection, until, failure) => {
    const held = heldSocketOf(connection);
    held?.holdUntil(until, failure);
    return held !== undefined;
  };
  let fanout: RedisFanout | null = null;
  const persistence = new PersistenceExtension({
    stores,
    logger: categoryLogger(logger, "persistence"),
    metrics,
    checkpointEvery: config.checkpointEvery,
    historyMs: config.historyDays * 86_400_000,
    holdAcknowledgements,
  });

  // One policy for every request the server sends (room webhooks, platform APIs): checked
  // when a URL is set, at start for API base URLs, and again whenever it is used.
  const outbound = new OutboundTargets(config.webhookAllowedTargets, {
    allowPrivate: config.allowPrivateWebhooks,
  });
  const chat = await startChatPlatforms(config, { stores, outbound, logger });
  if ("refused" in chat) {
    unrouteConsole();
    throw new ConfigError(chat.refused);
  }
  const { platforms, announcer } = chat;
  let rooms: HotRooms | undefined;
  let pagingWiring: PagingWiring | undefined;
  const documentLimits = new DocumentLimitsExtension({
    maxDocumentBytes: config.maxDocumentBytes,
    maxRecords: config.maxRecords,
    documentBytes: (name) => persistence.documentBytes(name),
    logger: categoryLogger(logger, "limits"),
  });
  // Several processes: Redis carries updates between them (stored by the one that accepted them).
  if (config.redisUrl)
    fanout = new RedisFanout({
      url: config.redisUrl,
      prefix: `hotdoc:${config.database?.schema ?? "local"}`,
      processName: config.processName,
      logger: categoryLogger(logger, "redis"),
      mergeStored: (doc) => persistence.mergeStored(doc),
    });
  hocuspocus = new Hocuspocus({
    name: "hotdoc",
    quiet: true,
    extensions: [
      ...(fanout ? [fanout] : []),
      new RateLimitExtension({
        limits,
        connectsPerMinute: config.rateLimits.wsConnectsPerMinute,
        logger: categoryLogger(logger, "limits"),
      }),
      new AuthenticationExtension({
        verify,
        sessions,
        secureCookies,
        publicUrl: () => publicUrl,
        stores,
        logger: categoryLogger(logger, "auth"),
        limits,
        authenticated: (connection) => {
          const held = heldSocketOf(connection);
          if (held) held.isAuthenticated = true;
          // A v4 provider says its version when it authenticates, and answers Pings.
          if (held && connection.providerVersion !== null) heartbeat.start(held);
        },
      }),
      new PresenceExtension(),
      new LoggingExtension(categoryLogger(logger, "collab")),
      documentLimits,
      new UpdateOrderExtension({
        logger: categoryLogger(logger, "collab"),
        holdAcknowledgements,
      }),
      persistence,
      new AnnouncementExtension((incident, lines) => void announcer.announce(incident, lines)),
      new RoomTopicExtension((incident, topic) => rooms?.topicChanged(incident, topic)),
      new RemovedTextExtension(),
      new PagingExtension((incident, entry) => pagingWiring?.changed(incident, entry)),
    ],
  });

  const incidents = new IncidentService({
    hocuspocus,
    stores,
    persistence,
    documentLimits,
    keyPrefix: config.keyPrefix,
    logger: categoryLogger(logger, "incidents"),
    // Declared on the page or the API: its room opens on every platform with an API.
    // (A declaration from chat opens its room itself, with the declarer invited.)
    declared: (key, principal) => {
      if (principal.role !== "bridge") void rooms?.open(key, { declaredBy: principal.name });
    },
  });

  pagingWiring = wirePaging(config.paging, {
    incidents,
    claimStore: stores.chat,
    processName: config.processName,
    publicUrl: () => publicUrl,
    announce: (incident, lines) => void announcer.announce(incident, lines),
    logger,
  });
  const { hotRooms, declarations, mirror, people } = wireBridge(config, {
    stores,
    incidents,
    platforms,
    metrics,
    logger,
    publicUrl: () => publicUrl,
    pageCommand: pagingWiring.pageCommand,
  });
  rooms = hotRooms;

  const revocations = new Revocations({
    hocuspocus,
    bus,
    stores,
    logger: categoryLogger(logger, "auth"),
    shared: stores.kind === "postgres",
  });
  const app = createApp({
    platforms,
    mirror,
    declarations,
    people,
    announcer,
    outbound,
    incidents,
    stores,
    metrics,
    tokens,
    sessions,
    oidc: config.oidc
      ? {
          signIn: new OidcSignIn({
            settings: config.oidc,
            redirectUri: () => `${publicUrl}/auth/callback`,
            secret: tokenSecret,
            logger: categoryLogger(logger, "auth"),
          }),
          providerName: config.oidc.providerName,
        }
      : null,
    secureCookies,
    revocations,
    processName: config.processName,
    fanout,
    logger: categoryLogger(logger, "http"),
    clientDir: config.clientDir,
    counts,
    publicUrl: () => publicUrl,
    startedAt: Date.now(),
    limits,
    trustProxy: config.trustProxy,
    maxExports: config.maxExports,
    paging: pagingWiring,
    pagerDutyWebhookSecret: config.paging.pagerduty.webhookSecret,
  });

  // Plain HTTP/1.1: the adaptor types its result as any of node's servers.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const upgrades = upgradeRouter(server);
  const endpoint = {
    hocuspocus,
    maxPayload: config.maxMessageBytes,
    clientIp: (request: IncomingMessage) => clientAddress(request, config.trustProxy),
    authTimeoutMs: config.wsAuthTimeoutMs,
  };
  const collab = hocuspocusEndpoint({
    ...endpoint,
    heartbeat,
    logger: categoryLogger(logger, "collab"),
  });
  upgrades.set("/collab", collab.handle);
  const yjs = yWebsocketEndpoint({ ...endpoint, logger: categoryLogger(logger, "yjs") });
  upgrades.set("/yjs/", yjs.handle);

  const { port, localUrl, url } = await listen(server, config.host, config.port);
  if (!config.publicUrl) publicUrl = url;
  pagingWiring.nudges.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      heartbeat.stop();
      pagingWiring?.nudges.stop();
      for (const ws of collab.wss.clients) ws.terminate();
      for (const ws of yjs.wss.clients) ws.terminate();
      hocuspocus.closeConnections();
      hocuspocus.flushPendingStores();
      // Every accepted update is already durable; this only lets the last compaction
      // and summary writes finish before the store closes.
      const deadline = Date.now() + 5000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
      await hocuspocus.hooks("onDestroy", { instance: hocuspocus });
      await hotRooms.settle();
      await announcer.flush();
      revocations.stop();
      await bus.close();
      await stores.close();
      unrouteConsole();
    })();
    return closing;
  };

  return {
    url: publicUrl,
    localUrl,
    port,
    adminToken: admin.token,
    adminTokenGenerated: admin.generated,
    teamLink,
    hocuspocus,
    stores,
    incidents,
    tokens,
    logger,
    close,
  };
}
