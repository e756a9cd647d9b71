import type { AddressInfo } from "node:net";
import { Hocuspocus } from "@hocuspocus/server";
import { createAdaptorServer } from "@hono/node-server";
import { clientAddress, RateLimits } from "./access/RateLimits.ts";
import { TokenService } from "./access/TokenService.ts";
import { Announcer } from "./bridge/Announcer.ts";
import { GenericAdapter } from "./bridge/adapters/GenericAdapter.ts";
import { MatrixAdapter } from "./bridge/adapters/MatrixAdapter.ts";
import { MattermostAdapter } from "./bridge/adapters/MattermostAdapter.ts";
import { SlackAdapter } from "./bridge/adapters/SlackAdapter.ts";
import { TeamsAdapter } from "./bridge/adapters/TeamsAdapter.ts";
import { ChatMirror } from "./bridge/ChatMirror.ts";
import type { Config } from "./config.ts";
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
import { UpdateOrderExtension } from "./extensions/UpdateOrderExtension.ts";
import { createApp } from "./http/app.ts";
import { IncidentService } from "./incidents/IncidentService.ts";
import { categoryLogger, createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { OutboundTargets } from "./net/outboundTarget.ts";
import { resolveAdminToken, resolveTokenSecret } from "./secrets.ts";
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

  const tokens = new TokenService({
    secret: resolveTokenSecret(config.dataDir, config.tokenSecret),
    adminToken: admin.token,
    store,
  });
  const verify = (token: string) => tokens.verify(token);
  const limits = new RateLimits(config.rateLimits);

  let hocuspocus: Hocuspocus | undefined;
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

  // One policy for every request the server is told to send (room webhooks): checked when a URL is set and again when it is used.
  const outbound = new OutboundTargets(config.webhookAllowedTargets);
  const announcer = new Announcer({
    store,
    logger: categoryLogger(logger, "announce"),
    intervalMs: config.announceIntervalMs,
    outbound,
  });
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
        store,
        logger: categoryLogger(logger, "auth"),
        limits,
        authenticated: (connection) => {
          const held = heldSocketOf(connection);
          if (held) held.isAuthenticated = true;
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
    ],
  });

  const incidents = new IncidentService({
    hocuspocus,
    store,
    persistence,
    documentLimits,
    keyPrefix: config.keyPrefix,
    logger: categoryLogger(logger, "incidents"),
  });

  const adapters = [
    new SlackAdapter(config.chat.slackSigningSecret, config.chat.slackBotId),
    new MattermostAdapter(config.chat.mattermostToken),
    new MatrixAdapter(config.chat.matrixHsToken),
    new TeamsAdapter(config.chat.teamsSecret),
    new GenericAdapter(config.chat.webhookSecret),
  ];
  const mirror = new ChatMirror({
    store,
    incidents,
    metrics,
    logger: categoryLogger(logger, "bridge"),
  });

  let publicUrl = config.publicUrl ?? "";
  const app = createApp({
    adapters,
    mirror,
    announcer,
    outbound,
    incidents,
    store,
    metrics,
    tokens,
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
  const collab = hocuspocusEndpoint({ ...endpoint, logger: categoryLogger(logger, "collab") });
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
    hocuspocus,
    store,
    incidents,
    tokens,
    logger,
    close,
  };
}
