import { AuthMessageType } from "@hocuspocus/common";
import { MessageType } from "@hocuspocus/server";
import { describe, expect, it } from "vitest";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { connectionEnd } from "../../server/sockets/upgradeRouter.ts";
import { frame } from "../helpers/rawSocket.ts";

// Frames as @hocuspocus/server's OutgoingMessage writes them: the address (writeVarString),
// the type (writeVarUint), then the message's own fields (writeCloseMessage writes the
// reason as a varString; writePermissionDenied writes PermissionDenied and the reason).
describe("connectionEnd: the close a frame to a client calls for", () => {
  for (const address of ["HOT-1", "a".repeat(200), ""]) {
    it(`reads the type past an address of ${address.length} characters`, () => {
      expect(
        connectionEnd(frame(address, MessageType.CLOSE, CLOSE_REASONS.token_revoked.reason)),
      ).toEqual(CLOSE_REASONS.token_revoked);
      expect(
        connectionEnd(
          frame(
            address,
            MessageType.Auth,
            AuthMessageType.PermissionDenied,
            CLOSE_REASONS.store_unavailable.reason,
          ),
        ),
      ).toEqual(CLOSE_REASONS.store_unavailable);
      // A client letting the document go, a plain refusal, an acknowledgement: the socket stays.
      expect(connectionEnd(frame(address, MessageType.CLOSE, "provider_initiated"))).toBeNull();
      expect(
        connectionEnd(
          frame(address, MessageType.Auth, AuthMessageType.PermissionDenied, "permission-denied"),
        ),
      ).toBeNull();
      expect(connectionEnd(frame(address, MessageType.SyncStatus, 1))).toBeNull();
    });
  }

  it("closes with a generic reason for a Close message it does not know, and ignores a truncated frame", () => {
    expect(connectionEnd(frame("HOT-1", MessageType.CLOSE, "something-else"))).toEqual({
      code: 1000,
      reason: "closed by server",
    });
    expect(connectionEnd(frame("HOT-1").subarray(0, 3))).toBeNull();
  });
});
