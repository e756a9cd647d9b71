import { Throttle } from "@hocuspocus/extension-throttle";
import type { beforeHandleMessagePayload, Extension, onConnectPayload } from "@hocuspocus/server";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import type { HotdocContext } from "../access/origins.ts";
import type { RateLimits } from "../access/RateLimits.ts";
import type { Logger } from "../logger.ts";

/** Hocuspocus turns a thrown plain object into a close (or permission-denied) with this code and reason. */
const REFUSAL = {
  code: CLOSE_REASONS.rate_limited.code,
  reason: CLOSE_REASONS.rate_limited.reason,
};

/**
 * Websocket budgets. Connection attempts per address go through Hocuspocus' own
 * throttle extension (it reads `X-Real-IP`, which our upgrade handler always sets to the
 * address we determined); messages are counted per token (failed authentications are
 * counted in AuthenticationExtension). A refusal carries the typed `rate-limited`
 * reason instead of the throttle's bare "Forbidden".
 */
export class RateLimitExtension implements Extension {
  extensionName = "RateLimitExtension";
  // Before authentication: a throttled address costs us no token verification.
  priority = 1100;

  private readonly throttle: Throttle | null;
  private readonly limits: RateLimits;
  private readonly logger: Logger;

  constructor(options: { limits: RateLimits; connectsPerMinute: number; logger: Logger }) {
    this.limits = options.limits;
    this.logger = options.logger;
    this.throttle =
      options.connectsPerMinute > 0
        ? new Throttle({ throttle: options.connectsPerMinute, consideredSeconds: 60, banTime: 1 })
        : null;
  }

  async onConnect(data: onConnectPayload): Promise<void> {
    const ip = data.request.headers.get("x-real-ip") ?? "unknown";
    try {
      if (this.throttle) await this.throttle.onConnect(data);
    } catch {
      this.logger.debug(
        { ip, incident: data.documentName },
        "websocket connection refused: rate limited",
      );
      throw REFUSAL;
    }
  }

  async beforeHandleMessage({
    context,
    connection,
    documentName,
  }: beforeHandleMessagePayload<HotdocContext>): Promise<void> {
    const principal = context.principal;
    if (!principal) return;
    try {
      await this.limits.consume("wsMessages", principal.tokenId ?? principal.subject);
    } catch {
      this.logger.info(
        { incident: documentName, who: principal.subject },
        "websocket closed: too many messages with this token",
      );
      connection.webSocket.close(REFUSAL.code, REFUSAL.reason);
      throw REFUSAL;
    }
  }

  async onDestroy(): Promise<void> {
    await this.throttle?.onDestroy();
  }
}
