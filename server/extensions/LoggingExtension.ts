import type {
  afterUnloadDocumentPayload,
  connectedPayload,
  Extension,
  onDisconnectPayload,
} from "@hocuspocus/server";
import type { HotdocContext } from "../access/origins.ts";
import type { Logger } from "../logger.ts";

/** One log line per connection opened or closed and per document unloaded, with the incident key. */
export class LoggingExtension implements Extension {
  extensionName = "LoggingExtension";
  priority = 900;

  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async connected({
    documentName,
    socketId,
    context,
    connection,
  }: connectedPayload<HotdocContext>): Promise<void> {
    this.logger.info(
      {
        incident: documentName,
        socketId,
        who: context.principal?.subject,
        role: context.principal?.role,
        readOnly: connection.readOnly,
      },
      "client connected",
    );
  }

  async onDisconnect({ documentName, socketId, clientsCount }: onDisconnectPayload): Promise<void> {
    // Direct (server-side) connections close after every REST or bridge write: debug only.
    const level = socketId === "server" ? "debug" : "info";
    this.logger[level]({ incident: documentName, socketId, clientsCount }, "client disconnected");
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.logger.debug({ incident: documentName }, "document unloaded");
  }
}
