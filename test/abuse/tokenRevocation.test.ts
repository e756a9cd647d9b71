import { MessageType } from "@hocuspocus/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageYjsSyncStep1 } from "y-protocols/sync";
import * as Y from "yjs";
import { CLOSE_REASONS, closeReasonFromString } from "#shared/closeReasons.ts";
import { connectProvider, whenSynced, withTimeout } from "../helpers/clients.ts";
import { frame, RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("revoking a token", () => {
  let server: TestServer;
  let key: string;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Revocation", severity: 2 })).body
      .key;
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => {
      f();
    });
    await server.close();
  });

  it("DELETE /api/tokens/:id closes that token's live connections on /collab and /yjs with token-revoked", async () => {
    const minted = await server.api("POST", "/api/tokens", {
      role: "responder",
      scope: key,
      name: "On-call",
    });
    expect(minted.status).toBe(201);
    const other = await server.api("POST", "/api/tokens", {
      role: "responder",
      scope: key,
      name: "Bystander",
    });

    const provider = connectProvider(server.wsUrl, key, minted.body.token, new Y.Doc());
    cleanups.push(() => provider.destroy());
    await whenSynced(provider);
    const providerClosed = withTimeout(
      new Promise<{ code: number; reason: string }>((resolve) =>
        provider.on("close", ({ event }: { event: { code: number; reason: string } }) =>
          resolve({ code: event.code, reason: event.reason }),
        ),
      ),
      5000,
      "the revoked /collab connection to close",
    );
    const yjs = new RawSocket(
      `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${minted.body.token}`,
    );
    cleanups.push(() => yjs.close());
    await yjs.opened;
    yjs.send(frame(MessageType.Sync, messageYjsSyncStep1, Y.encodeStateVector(new Y.Doc())));
    await yjs.waitFor(() => true);
    const bystander = connectProvider(server.wsUrl, key, other.body.token, new Y.Doc());
    cleanups.push(() => bystander.destroy());
    await whenSynced(bystander);

    expect((await server.api("DELETE", `/api/tokens/${minted.body.id}`)).status).toBe(204);

    // The server sends Hocuspocus's Close message, then closes the socket with 4401. The
    // provider reports the message as code 1000 with its reason, or the socket's close if
    // that came first; the page goes by the reason (closeReasonFromString), either way.
    const closed = await providerClosed;
    expect(closeReasonFromString(closed.reason)).toEqual(CLOSE_REASONS.token_revoked);
    expect([1000, CLOSE_REASONS.token_revoked.code]).toContain(closed.code);
    expect(await withTimeout(yjs.closed, 5000, "the revoked /yjs connection to close")).toEqual({
      code: CLOSE_REASONS.token_revoked.code,
      reason: CLOSE_REASONS.token_revoked.reason,
    });
    // Another token's connection to the same incident is untouched.
    expect(bystander.isSynced).toBe(true);
    const connections = [
      ...(server.hotdoc.hocuspocus.documents.get(key)?.connections.keys() ?? []),
    ];
    expect(
      connections.map((c) => (c.context as { principal?: { name?: string } }).principal?.name),
    ).toEqual(["Bystander"]);
  });

  it("an admin cannot mint a token for an incident that does not exist", async () => {
    const response = await server.api("POST", "/api/tokens", {
      role: "responder",
      scope: "HOT-999",
      name: "Nobody",
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("incident_not_found");
    const wildcard = await server.api("POST", "/api/tokens", {
      role: "viewer",
      scope: "*",
      name: "Everyone",
    });
    expect(wildcard.status).toBe(201);
  });
});
