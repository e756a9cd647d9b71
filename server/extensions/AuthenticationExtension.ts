import type { Extension, onAuthenticatePayload } from "@hocuspocus/server";
import type { Principal } from "../../shared/access.ts";
import { closeReason, HotdocError, toHotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";
import type { HotdocContext } from "./origins.ts";

/** Turns a presented token into a principal, or throws a typed HotdocError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * The door check for /collab: a valid token, for an incident that exists. The
 * refusal reaches the client as a typed reason from shared/closeReasons.ts and is
 * logged here. Issue-specific access rules live in the verifier, not in this file.
 */
export class AuthenticationExtension implements Extension {
  extensionName = "AuthenticationExtension";
  priority = 1000;

  private readonly verify: TokenVerifier;
  private readonly store: DocumentStore;
  private readonly logger: Logger;

  constructor(options: { verify: TokenVerifier; store: DocumentStore; logger: Logger }) {
    this.verify = options.verify;
    this.store = options.store;
    this.logger = options.logger;
  }

  async onAuthenticate({ token, documentName, socketId }: onAuthenticatePayload<HotdocContext>): Promise<HotdocContext> {
    try {
      if (!token) throw new HotdocError("unauthenticated", "no token given");
      const principal = await this.verify(token);
      if (principal.scope !== "*" && principal.scope !== documentName) {
        throw new HotdocError("forbidden", `token is for ${principal.scope}`);
      }
      if (!(await this.store.incidentExists(documentName))) {
        throw new HotdocError("incident_not_found", `no incident ${documentName}`);
      }
      return { principal };
    } catch (error) {
      const refusal = toHotdocError(error);
      const reason = closeReason(refusal);
      this.logger.warn(
        { incident: documentName, socketId, code: refusal.code, reason: reason.reason },
        `collaboration connection refused: ${refusal.message}`,
      );
      // A plain object (no `message`): Hocuspocus sends `reason` to the client as the
      // permission-denied reason without printing its own console line.
      throw { reason: reason.reason, code: reason.code };
    }
  }
}
