import type { AddressInfo } from "node:net";
import { Hocuspocus } from "@hocuspocus/server";
import { createAdaptorServer } from "@hono/node-server";
import { HEARTBEAT_INTERVAL_MS } from "#shared/heartbeat.ts";
import { OidcSignIn } from "./access/OidcSignIn.ts";
import { clientAddress, RateLimits } from "./access/RateLimits.ts";
import { SessionService } from "./access/SessionService.ts";
import { TokenService } from "./access/TokenService.ts";
import { Announcer } from "./bridge/Announcer.ts";
import { ChatDeclarations } from "./bridge/ChatDeclarations.ts";
import { ChatMirror } from "./bridge/ChatMirror.ts";
import { ChatPlatforms } from "./bridge/ChatPlatforms.ts";
import { HotRooms } from "./bridge/HotRooms.ts";
import { People } from "./bridge/People.ts";
import { type Config, ConfigError } from "./config.ts";
import { routeConsole } from "./consoleRouting.ts";
import { AnnouncementExtension } from "./extensions/AnnouncementExtension.ts";
import { AuthenticationExtension } from "./extensions/AuthenticationExtension.ts";
import { DocumentLimitsExtension } from "./extensions/DocumentLimitsExtension.ts";
import { LoggingExtension } from "./extensions/LoggingExtension.ts";
import {
  type HoldAcknowledgements,
  PersistenceExtension,
} from "./extensions/PersistenceExtension.ts";
import { PresenceExtension } from "./extensions/PresenceExtension.ts";
import { RateLimitExtension } from "./extensions/RateLimitExtension.ts";
import { RemovedTextExtension } from "./extensions/RemovedTextExtension.ts";
import { RoomTopicExtension } from "./extensions/RoomTopicExtension.ts";
import { UpdateOrderExtension } from "./extensions/UpdateOrderExtension.ts";
import { createApp } from "./http/app.ts";
import { IncidentService } from "./incidents/IncidentService.ts";
import { categoryLogger, createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { OutboundTargets, TargetRefusedError } from "./net/outboundTarget.ts";
import { readTeamLink, resolveAdminToken, resolveTokenSecret, writeTeamLink } from "./secrets.ts";
import { Heartbeat } from "./sockets/Heartbeat.ts";
import { heldSocketOf } from "./sockets/HeldSocket.ts";
import { hocuspocusEndpoint, upgradeRouter } from "./sockets/upgradeRouter.ts";
import { yWebsocketEndpoint } from "./sockets/yWebsocketEndpoint.ts";
import type { DocumentStore } from "./storage/DocumentStore.ts";
import { SqliteStore } from "./storage/SqliteStore.ts";

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
  store: DocumentStore;
  incidents: IncidentService;
  tokens: TokenService;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: builds the store, the Hocuspocus extensions (their order
 * in the list is the policy), the HTTP app and the websocket endpoints, and listens.
 */
export async function startHotdoc(
  config: Config,
  options: { logger?: Logger; store?: DocumentStore } = {},
): Promise<RunningHotdoc> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const unrouteConsole = routeConsole(logger);
  const store = options.store ?? new SqliteStore(config.dataDir);
  const admin = resolveAdminToken(config.dataDir, config.adminToken);

  const tokenSecret = resolveTokenSecret(config.dataDir, config.tokenSecret);
  const tokens = new TokenService({ secret: tokenSecret, adminToken: admin.token, store });
  const retired = await tokens.retireEarlierAdminTokens();
  if (retired > 0)
    logger.info({ retired }, "the admin token changed: links minted from the old one are revoked");
  // Without an identity provider, the way in for people is a team link, never the admin token.
  let teamLink: string | null = null;
  if (!config.oidc) {
    const team = await tokens.bootstrapLink(readTeamLink(config.dataDir));
    if (team.minted) writeTeamLink(config.dataDir, team.token);
    teamLink = team.token;
  }
  const verify = (token: string) => tokens.verify(token);
  const sessions = new SessionService({ store, lifetimeMs: config.sessionHours * 3_600_000 });
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
  });
  // Extensions never handle a socket: the doors' HeldSocket holds a connection's frames for them.
  const holdAcknowledgements: HoldAcknowledgements = (connection, until, failure) => {
    const held = heldSocketOf(connection);
    held?.holdUntil(until, failure);
    return held !== undefined;
  };
  const persistence = new PersistenceExtension({
    store,
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
  const platforms = new ChatPlatforms(config.chat, {
    outbound,
    logger: categoryLogger(logger, "chat-api"),
  });
  for (const platform of platforms.all()) {
    if (!platform.apiUrl) continue;
    try {
      await outbound.check(platform.apiUrl);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      // A name that does not resolve yet (a network still coming up) is checked again at
      // every connection; where it points is what stops the start.
      if (error.unresolved) {
        logger.warn(
          { platform: platform.module.platform, reason: error.message },
          "chat platform API not reachable yet; it is checked again at every call",
        );
        continue;
      }
      unrouteConsole();
      throw new ConfigError(
        `the ${platform.module.platform} API URL ${platform.apiUrl} is refused: ${error.message}`,
      );
    }
  }
  const announcer = new Announcer({
    store,
    logger: categoryLogger(logger, "announce"),
    intervalMs: config.announceIntervalMs,
    outbound,
    platforms,
  });
  let rooms: HotRooms | undefined;
  const documentLimits = new DocumentLimitsExtension({
    maxDocumentBytes: config.maxDocumentBytes,
    maxRecords: config.maxRecords,
    documentBytes: (name) => persistence.documentBytes(name),
    logger: categoryLogger(logger, "limits"),
  });
  hocuspocus = new Hocuspocus({
    name: "hotdoc",
    quiet: true,
    extensions: [
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
        store,
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
    ],
  });

  const incidents = new IncidentService({
    hocuspocus,
    store,
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

  const hotRooms = new HotRooms({
    store,
    incidents,
    platforms,
    logger: categoryLogger(logger, "rooms"),
    publicUrl: () => publicUrl,
    enabled: config.createRooms,
  });
  rooms = hotRooms;
  const declarations = new ChatDeclarations({
    store,
    incidents,
    rooms: hotRooms,
    logger: categoryLogger(logger, "bridge"),
    publicUrl: () => publicUrl,
  });
  const mirror = new ChatMirror({
    store,
    incidents,
    metrics,
    logger: categoryLogger(logger, "bridge"),
    declarations,
    roleGiven: (incident, platform, userId) => void hotRooms.invite(incident, platform, [userId]),
  });
  const people = new People(platforms, categoryLogger(logger, "bridge"), {
    directory: store,
    identityMap: config.chatIdentityMap,
  });

  const app = createApp({
    platforms,
    mirror,
    declarations,
    people,
    announcer,
    outbound,
    incidents,
    store,
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
    hocuspocus,
    logger: categoryLogger(logger, "http"),
    clientDir: config.clientDir,
    counts,
    publicUrl: () => publicUrl,
    startedAt: Date.now(),
    limits,
    trustProxy: config.trustProxy,
    maxExports: config.maxExports,
  });

  const server = createAdaptorServer({ fetch: app.fetch });
  const upgrades = upgradeRouter(server as import("node:http").Server);
  const endpoint = {
    hocuspocus,
    maxPayload: config.maxMessageBytes,
    clientIp: (request: import("node:http").IncomingMessage) =>
      clientAddress(request, config.trustProxy),
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

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const port = address.port;
  const localHost =
    address.address === "::" || address.address === "0.0.0.0" ? "127.0.0.1" : address.address;
  const localUrl = `http://${localHost.includes(":") ? `[${localHost}]` : localHost}:${port}`;
  const displayHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${displayHost.includes(":") ? `[${displayHost}]` : displayHost}:${port}`;
  if (!config.publicUrl) publicUrl = url;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      heartbeat.stop();
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
      (server as import("node:http").Server).closeAllConnections?.();
      await closed;
      await hocuspocus.hooks("onDestroy", { instance: hocuspocus });
      await hotRooms.settle();
      await announcer.flush();
      await store.close();
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
    store,
    incidents,
    tokens,
    logger,
    close,
  };
}
