import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { appendTimelineEntry, readIncident, readTimeline, setSeverity } from "#shared/doc/index.ts";
import {
  connectProvider,
  whenDoc,
  whenRefused,
  whenSynced,
  withTimeout,
} from "../helpers/clients.ts";
import { RawSocket } from "../helpers/rawSocket.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("every door checks the same tokens", () => {
  let server: TestServer;
  let key: string;
  let other: string;
  const cleanups: (() => void)[] = [];
  const track = <T extends { destroy(): void }>(p: T) => {
    cleanups.push(() => p.destroy());
    return p;
  };

  beforeEach(async () => {
    server = await startTestServer({ captureLogs: true });
    key = (await server.api("POST", "/api/incidents", { summary: "Tokens", severity: 2 })).body.key;
    other = (await server.api("POST", "/api/incidents", { summary: "Other", severity: 3 })).body
      .key;
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => {
      f();
    });
    await server.close();
  });

  async function badTokens(): Promise<
    Record<string, { token: string; reason: string; code: string; status: number }>
  > {
    const mint = (scope: string, now = Date.now()) =>
      server.hotdoc.tokens.mint(
        { role: "responder", scope, name: "R", expiresInSeconds: 60, createdBy: "test" },
        now,
      );
    const expired = await mint(key, Date.now() - 10 * 60_000);
    const good = await mint(key);
    const [head, body, signature] = good.token.split(".");
    const forgedBody = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body, "base64url").toString()),
        role: "admin",
        scope: "*",
      }),
    ).toString("base64url");
    const tampered = `${head}.${forgedBody}.${signature}`;
    const revoked = await mint(key);
    await server.hotdoc.tokens.revoke(revoked.record.id);
    const elsewhere = await mint(other);
    return {
      expired: {
        token: expired.token,
        reason: CLOSE_REASONS.token_expired.reason,
        code: "token_expired",
        status: 401,
      },
      tampered: {
        token: tampered,
        reason: CLOSE_REASONS.token_invalid.reason,
        code: "token_invalid",
        status: 401,
      },
      revoked: {
        token: revoked.token,
        reason: CLOSE_REASONS.token_revoked.reason,
        code: "token_revoked",
        status: 401,
      },
      "wrong incident": {
        token: elsewhere.token,
        reason: CLOSE_REASONS.forbidden.reason,
        code: "forbidden",
        status: 403,
      },
    };
  }

  it("refuses expired, tampered, revoked and wrong-incident tokens at /collab, /yjs and REST, and logs each refusal", async () => {
    for (const [what, bad] of Object.entries(await badTokens())) {
      expect(
        await whenRefused(track(connectProvider(server.wsUrl, key, bad.token))),
        `/collab ${what}`,
      ).toBe(bad.reason);

      const raw = new RawSocket(
        `ws://127.0.0.1:${server.hotdoc.port}/yjs/${key}?token=${encodeURIComponent(bad.token)}`,
      );
      cleanups.push(() => raw.close());
      const closed = await withTimeout(raw.closed, 10_000, `/yjs close for ${what}`);
      expect(closed.reason, `/yjs ${what}`).toBe(bad.reason);

      const rest = await server.api("GET", `/api/incidents/${key}`, undefined, bad.token);
      expect(rest.status, `REST ${what}`).toBe(bad.status);
      expect(rest.body.error.code).toBe(bad.code);
    }
    const refusals = server.logs.filter(
      (l) => typeof l.msg === "string" && /refused/.test(l.msg as string),
    );
    for (const reason of ["token-expired", "token-invalid", "token-revoked", "forbidden"]) {
      expect(refusals.filter((l) => l.reason === reason && l.incident === key).length, reason).toBe(
        2,
      );
    }
    for (const code of ["token_expired", "token_invalid", "token_revoked", "forbidden"]) {
      expect(
        refusals.some((l) => l.code === code && l.path === `/api/incidents/${key}`),
        code,
      ).toBe(true);
    }
  });

  it("closes a live connection when its token expires", async () => {
    const { token } = await server.hotdoc.tokens.mint({
      role: "viewer",
      scope: key,
      name: "Short",
      expiresInSeconds: 2,
      createdBy: "test",
    });
    const viewer = track(connectProvider(server.wsUrl, key, token));
    await whenSynced(viewer);
    const refused = whenRefused(viewer, 10_000);
    await withTimeout(
      new Promise<void>((resolve) => viewer.on("close", () => resolve())),
      10_000,
      "the expired connection to close",
    );
    // It tries to come back and is refused for the expired token.
    expect(await refused).toBe(CLOSE_REASONS.token_expired.reason);
  });

  it("a y-websocket client and a Hocuspocus client converge on the same incident", async () => {
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "responder",
      name: "Yrs",
    });
    const yDoc = new Y.Doc();
    const yws = track(
      new WebsocketProvider(`ws://127.0.0.1:${server.hotdoc.port}/yjs`, key, yDoc, {
        params: { token: link.body.token },
      }),
    );
    const hp = track(connectProvider(server.wsUrl, key, server.token));
    await Promise.all([
      whenSynced(hp),
      withTimeout(
        new Promise<void>((r) => yws.once("sync", (s: boolean) => s && r())),
        10_000,
        "y-websocket sync",
      ),
    ]);
    expect(readIncident(yDoc).summary).toBe("Tokens");

    appendTimelineEntry(yDoc, { author: "Yrs", text: "from y-websocket", kind: "observation" });
    appendTimelineEntry(hp.document, {
      author: "HP",
      text: "from hocuspocus",
      kind: "observation",
    });
    setSeverity(yDoc, 1, { name: "Yrs", source: "editor" });
    const both = (doc: Y.Doc) => {
      const texts = readTimeline(doc).map((e) => e.text);
      return (
        texts.includes("from y-websocket") &&
        texts.includes("from hocuspocus") &&
        readIncident(doc).severity === 1
      );
    };
    await Promise.all([whenDoc(yDoc, both), whenDoc(hp.document, both)]);
    expect(readIncident(yDoc)).toEqual(readIncident(hp.document));
    const stored = await server.api("GET", `/api/incidents/${key}`);
    expect(stored.body.timeline.map((e: { text: string }) => e.text)).toContain("from y-websocket");
  });

  it("a share link minted by an admin works, and stops working once revoked", async () => {
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "viewer",
      name: "Support",
      expiresIn: "2h",
    });
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({
      role: "viewer",
      name: "Support",
      scope: key,
      revokedAt: null,
    });
    expect(link.body.url).toBe(`${server.url}/${key}#token=${link.body.token}`);
    expect(Date.parse(link.body.expiresAt) - Date.parse(link.body.createdAt)).toBe(2 * 3_600_000);

    const viewer: HocuspocusProvider = track(connectProvider(server.wsUrl, key, link.body.token));
    await whenSynced(viewer);
    expect(viewer.authorizedScope).toBe("readonly");
    expect(
      (await server.api("GET", `/api/incidents/${key}`, undefined, link.body.token)).status,
    ).toBe(200);
    const listed = await server.api("GET", "/api/incidents", undefined, link.body.token);
    expect(listed.body.incidents.map((i: { key: string }) => i.key)).toEqual([key]);
    expect(
      (await server.api("GET", `/api/incidents/${other}`, undefined, link.body.token)).status,
    ).toBe(403);
    expect((await server.api("GET", "/api/me", undefined, link.body.token)).body).toMatchObject({
      role: "viewer",
      scope: key,
      name: "Support",
    });

    const closed = withTimeout(
      new Promise<void>((resolve) => viewer.on("close", () => resolve())),
      10_000,
      "revoked connection to close",
    );
    expect((await server.api("DELETE", `/api/incidents/${key}/links/${link.body.id}`)).status).toBe(
      204,
    );
    await closed;
    expect(await whenRefused(track(connectProvider(server.wsUrl, key, link.body.token)))).toBe(
      CLOSE_REASONS.token_revoked.reason,
    );
    expect(
      (await server.api("GET", `/api/incidents/${key}`, undefined, link.body.token)).body.error
        .code,
    ).toBe("token_revoked");
    const links = await server.api("GET", `/api/incidents/${key}/links`);
    expect(links.body.links[0]).toMatchObject({ id: link.body.id, revokedAt: expect.any(String) });
  });

  it("a responder link edits only its own incident and cannot mint links", async () => {
    const link = await server.api("POST", `/api/incidents/${key}/links`, {
      role: "responder",
      name: "Sam",
    });
    const token = link.body.token;
    expect(
      (await server.api("PATCH", `/api/incidents/${key}`, { supportCases: "4" }, token)).status,
    ).toBe(200);
    expect(
      (await server.api("PATCH", `/api/incidents/${other}`, { supportCases: "4" }, token)).status,
    ).toBe(403);
    expect(
      (await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer" }, token)).status,
    ).toBe(403);
    expect(
      (await server.api("POST", "/api/incidents", { summary: "x", severity: 3 }, token)).status,
    ).toBe(403);
    const entry = await server.api(
      "POST",
      `/api/incidents/${key}/timeline`,
      { text: "by Sam" },
      token,
    );
    expect(entry.body.entry).toMatchObject({ author: "Sam", source: "api" });

    const global = await server.api("POST", "/api/tokens", {
      role: "responder",
      scope: "*",
      name: "On-call",
    });
    expect(global.status).toBe(201);
    expect(
      (
        await server.api(
          "POST",
          "/api/incidents",
          { summary: "by on-call", severity: 3 },
          global.body.token,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await server.api(
          "POST",
          "/api/tokens",
          { role: "admin", scope: "*", name: "x" },
          global.body.token,
        )
      ).status,
    ).toBe(403);
  });

  it("refuses a link request that is not valid and mints nothing", async () => {
    for (const body of [
      { role: "admin" },
      { role: "viewer", expiresIn: "forever" },
      { role: "viewer", expiresIn: 10 },
      { role: "viewer", colour: "red" },
    ]) {
      const response = await server.api("POST", `/api/incidents/${key}/links`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await server.api("GET", `/api/incidents/${key}/links`)).body.links).toEqual([]);
  });
});
