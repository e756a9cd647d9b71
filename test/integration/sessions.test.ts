import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { CLOSE_REASONS } from "#shared/closeReasons.ts";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { colorForSubject } from "#shared/presence.ts";
import {
  connectProvider,
  whenAcknowledged,
  whenDoc,
  whenRefused,
  whenSynced,
  withTimeout,
} from "../helpers/clients.ts";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/testServer.ts";

/** One `Set-Cookie` line, split into its name, value and attributes (names lower-cased). */
interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair, ...rest] = line.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const at = part.indexOf("=");
    if (at < 0) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

interface Reply {
  status: number;
  body: any;
  setCookies: SetCookie[];
}

/** A request as a browser page would make it: the cookie, and only the headers given. */
async function send(
  server: TestServer,
  method: string,
  route: string,
  options: { cookie?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(`${server.url}${route}`, { method, headers, body: options.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return {
    status: response.status,
    body,
    setCookies: response.headers.getSetCookie().map(parseSetCookie),
  };
}

/** A browser that has exchanged a link for a session: its cookie and who the server says it is. */
interface Browser {
  cookie: string;
  set: SetCookie;
  me: any;
  personalLink?: string;
}

/** POST /auth/link as our own page sends it (JSON, our Origin). */
function exchange(server: TestServer, token: string, name?: string, cookie?: string) {
  return send(server, "POST", "/auth/link", {
    cookie,
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify(name === undefined ? { token } : { token, name }),
  });
}

async function signIn(server: TestServer, token: string, name?: string): Promise<Browser> {
  const reply = await exchange(server, token, name);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.setCookies).toHaveLength(1);
  const set = reply.setCookies[0];
  return {
    cookie: `${set.name}=${set.value}`,
    set,
    me: reply.body.me,
    personalLink: reply.body.personalLink,
  };
}

/** A change our own page makes on the cookie: JSON, the CSRF header, our Origin. */
function change(
  server: TestServer,
  browser: Browser,
  method: string,
  route: string,
  body?: unknown,
) {
  return send(server, method, route, {
    cookie: browser.cookie,
    headers: {
      "content-type": "application/json",
      "x-csrf-token": browser.me.csrf,
      origin: server.url,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The id (jti) a signed token carries. */
const idOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).jti as string;

/** Minted links, leaving out those every server has: the admin token's record and the team link. */
const personalTokens = async (server: TestServer) => {
  const team = server.hotdoc.teamLink ? idOf(server.hotdoc.teamLink) : null;
  return (await server.hotdoc.stores.tokens.listAccessTokens()).filter(
    (t) => !t.id.startsWith("admin:") && t.id !== team,
  );
};

const me = (server: TestServer, cookie: string) => send(server, "GET", "/api/me", { cookie });

const tokenOf = (link: string) =>
  new URLSearchParams(new URL(link).hash.slice(1)).get("token") as string;

/** A cookie-clearing Set-Cookie: Max-Age=0 or an expiry in the past. */
function clears(set: SetCookie): boolean {
  const maxAge = set.attributes["max-age"];
  const expires = set.attributes.expires;
  return (
    (typeof maxAge === "string" && Number(maxAge) <= 0) ||
    (typeof expires === "string" && Date.parse(expires) <= Date.now())
  );
}

describe("browser sessions: link sign-in, CSRF, websocket, sign-out, revocation, expiry", () => {
  let server: TestServer;
  let key: string;
  let other: string;
  const cleanups: (() => void | Promise<void>)[] = [];

  /**
   * A HocuspocusProvider whose websocket upgrade carries `headers` (the cookie, an Origin),
   * as a browser's does; the `ws` sockets it opens are pushed to `sockets`.
   */
  function browserProvider(
    name: string,
    token: string,
    headers: Record<string, string>,
    sockets: WebSocket[] = [],
    doc: Y.Doc = new Y.Doc(),
  ): HocuspocusProvider {
    class BrowserSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers });
        sockets.push(this);
      }
    }
    const websocket = new HocuspocusProviderWebsocket({
      url: server.wsUrl,
      WebSocketPolyfill: BrowserSocket,
    });
    const provider = new HocuspocusProvider({
      websocketProvider: websocket,
      name,
      token,
      document: doc,
    });
    provider.attach();
    cleanups.push(() => {
      provider.destroy();
      websocket.destroy();
    });
    return provider;
  }

  /** Our own page's connection: the session's CSRF value as token, its cookie and our origin. */
  const sessionProvider = (browser: Browser, sockets: WebSocket[] = [], doc?: Y.Doc) =>
    browserProvider(
      key,
      `session:${browser.me.csrf}`,
      { cookie: browser.cookie, origin: server.url },
      sockets,
      doc,
    );

  const track = <T extends { destroy(): void }>(p: T) => {
    cleanups.push(() => p.destroy());
    return p;
  };

  const closedWith = (socket: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );

  /** The texts of the incident's timeline as the server holds it. */
  const timelineTexts = async (incident: string) =>
    (await server.api("GET", `/api/incidents/${incident}`)).body.timeline.map(
      (e: { text: string }) => e.text,
    ) as string[];

  beforeEach(async () => {
    server = await startTestServer();
    key = (await server.api("POST", "/api/incidents", { summary: "Sessions", severity: 2 })).body
      .key;
    other = (await server.api("POST", "/api/incidents", { summary: "Other", severity: 3 })).body
      .key;
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.close();
  });

  it("asks the admin bootstrap link for a name, then gives each person their own responder link and cookie", async () => {
    const refused = await exchange(server, server.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("name_required");
    expect(refused.setCookies).toEqual([]);
    expect(await personalTokens(server)).toEqual([]);

    const ann = await signIn(server, server.token, "Ann");
    const ben = await signIn(server, server.token, "Ben");
    for (const [person, name] of [
      [ann, "Ann"],
      [ben, "Ben"],
    ] as const) {
      expect(person.me).toMatchObject({
        name,
        role: "responder",
        scope: "*",
        via: "session",
        shared: false,
        csrf: expect.any(String),
      });
      expect(person.set.name).toBe("hotdoc_session");
      expect(person.set.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
      expect(person.set.attributes.secure).toBeUndefined();
      expect(Number(person.set.attributes["max-age"])).toBeGreaterThan(11 * 3600);
      // The personal link works on its own as a bearer token and names the same person.
      expect(person.personalLink).toMatch(new RegExp(`^${server.url}/#token=`));
      const asBearer = await server.api("GET", "/api/me", undefined, tokenOf(person.personalLink!));
      expect(asBearer.status).toBe(200);
      expect(asBearer.body).toMatchObject({
        subject: person.me.subject,
        name,
        role: "responder",
        scope: "*",
        via: "token",
        shared: false,
      });
      // The cookie alone says who this browser is.
      expect((await me(server, person.cookie)).body).toMatchObject({
        subject: person.me.subject,
        name,
        via: "session",
      });
    }
    expect(ann.me.subject).not.toBe(ben.me.subject);
    expect(ann.cookie).not.toBe(ben.cookie);
    expect(ann.me.csrf).not.toBe(ben.me.csrf);
    const minted = await personalTokens(server);
    expect(minted.map((t) => t.name).sort()).toEqual(["Ann", "Ben"]);
    // Children of the record standing for the admin token: rotating it revokes them.
    for (const t of minted)
      expect(t).toMatchObject({
        role: "responder",
        scope: "*",
        shared: false,
        parent: expect.stringMatching(/^admin:/),
      });
  });

  it("asks a team responder link for a name and scopes the personal link to its incident; a viewer link asks nothing", async () => {
    const team = await server.api("POST", `/api/incidents/${key}/links`, { role: "responder" });
    expect(team.status).toBe(201);
    expect(team.body.shared).toBe(true);

    const refused = await exchange(server, team.body.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("name_required");
    expect(refused.setCookies).toEqual([]);
    expect((await personalTokens(server)).map((t) => t.id)).toEqual([team.body.id]);

    const cat = await signIn(server, team.body.token, "Cat");
    expect(cat.me).toMatchObject({ name: "Cat", role: "responder", scope: key, shared: false });
    expect(cat.personalLink).toMatch(new RegExp(`^${server.url}/${key}#token=`));
    const personal = tokenOf(cat.personalLink!);
    expect((await server.api("GET", `/api/incidents/${key}`, undefined, personal)).status).toBe(
      200,
    );
    expect((await server.api("GET", `/api/incidents/${other}`, undefined, personal)).status).toBe(
      403,
    );
    expect(
      (await send(server, "GET", `/api/incidents/${other}`, { cookie: cat.cookie })).status,
    ).toBe(403);
    const records = await personalTokens(server);
    expect(records).toHaveLength(2);
    expect(records.find((t) => t.name === "Cat")).toMatchObject({
      role: "responder",
      scope: key,
      shared: false,
      parent: team.body.id,
    });

    const viewerLink = await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer" });
    expect(viewerLink.body.shared).toBe(false);
    const viewer = await exchange(server, viewerLink.body.token);
    expect(viewer.status).toBe(200);
    expect(viewer.body.me).toMatchObject({ role: "viewer", scope: key, via: "session" });
    expect(viewer.body.personalLink).toBeUndefined();
    expect(viewer.setCookies.map((s) => s.name)).toEqual(["hotdoc_session"]);
    // Nothing was minted for the viewer.
    expect(await personalTokens(server)).toHaveLength(3);
  });

  it("refuses cookie changes without the CSRF header or from another origin, and attributes accepted ones to the person", async () => {
    const ann = await signIn(server, server.token, "Ann");
    const count = async () => (await server.api("GET", "/api/incidents")).body.incidents.length;
    const before = await count();
    const declaration = JSON.stringify({ summary: "Declared by Ann", severity: 3 });
    const json = { "content-type": "application/json" };

    const noHeader = await send(server, "POST", "/api/incidents", {
      cookie: ann.cookie,
      headers: { ...json, origin: server.url },
      body: declaration,
    });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe("csrf_refused");
    const foreignHeaders: Record<string, string>[] = [
      { origin: "http://127.0.0.1:1" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const foreign of foreignHeaders) {
      const refused = await send(server, "POST", "/api/incidents", {
        cookie: ann.cookie,
        headers: { ...json, "x-csrf-token": ann.me.csrf, ...foreign },
        body: declaration,
      });
      expect(refused.status, JSON.stringify(foreign)).toBe(403);
      expect(refused.body.error.code).toBe("csrf_refused");
    }
    expect(await count()).toBe(before);

    // A read needs no header.
    expect((await send(server, "GET", "/api/incidents", { cookie: ann.cookie })).status).toBe(200);

    const declared = await change(server, ann, "POST", "/api/incidents", {
      summary: "Declared by Ann",
      severity: 3,
    });
    expect(declared.status).toBe(201);
    expect(await count()).toBe(before + 1);
    const incident = (await server.api("GET", `/api/incidents/${declared.body.key}`)).body;
    const declaredEntry = incident.timeline.find((e: { text: string }) =>
      e.text.startsWith("Incident declared"),
    );
    expect(declaredEntry.author).toBe("Ann");
    expect(JSON.stringify(incident)).not.toMatch(/"(Operator|Admin)"/);

    // A form on another site cannot exchange a link for a session.
    const tokensBefore = (await server.hotdoc.stores.tokens.listAccessTokens()).length;
    for (const contentType of ["application/x-www-form-urlencoded", "text/plain"]) {
      const form = await send(server, "POST", "/auth/link", {
        headers: { "content-type": contentType },
        body: new URLSearchParams({ token: server.token, name: "Eve" }).toString(),
      });
      expect(form.status, contentType).toBeGreaterThanOrEqual(400);
      expect(form.setCookies, contentType).toEqual([]);
    }
    // Nor can a JSON request that says it comes from elsewhere.
    const crossOrigin = await send(server, "POST", "/auth/link", {
      headers: { ...json, origin: "http://127.0.0.1:1" },
      body: JSON.stringify({ token: server.token, name: "Eve" }),
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.setCookies).toEqual([]);
    expect(await server.hotdoc.stores.tokens.listAccessTokens()).toHaveLength(tokensBefore);
  });

  it("opens the websocket on the session cookie and its CSRF value, and refuses it without either or from another origin", async () => {
    const ann = await signIn(server, server.token, "Ann");
    const watcher = track(connectProvider(server.wsUrl, key, server.token));
    await whenSynced(watcher);

    const annDoc = new Y.Doc();
    const annProvider = sessionProvider(ann, [], annDoc);
    await whenSynced(annProvider);
    expect(annProvider.authorizedScope).toBe("read-write");
    annProvider.setAwarenessField("cursor", { at: 1 });
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          const seen = [...watcher.awareness!.getStates().values()].some(
            (s) => s.user?.subject === ann.me.subject,
          );
          if (seen) resolve();
        };
        watcher.awareness!.on("change", check);
        check();
      }),
      5_000,
      "Ann's presence",
    );
    const annState = [...watcher.awareness!.getStates().values()].find(
      (s) => s.user?.subject === ann.me.subject,
    );
    expect(annState?.user).toEqual({
      name: "Ann",
      role: "responder",
      subject: ann.me.subject,
      color: colorForSubject(ann.me.subject),
    });

    appendTimelineEntry(annDoc, {
      author: "Ann",
      text: "edited on the session",
      kind: "observation",
    });
    await whenAcknowledged(annProvider);
    await whenDoc(watcher.document, (d) =>
      readTimeline(d).some((e) => e.text === "edited on the session"),
    );
    expect(await timelineTexts(key)).toContain("edited on the session");

    const refusals: {
      what: string;
      token: string;
      headers: Record<string, string>;
      reason: string;
    }[] = [
      {
        what: "wrong csrf",
        token: "session:not-the-csrf-value",
        headers: { cookie: ann.cookie, origin: server.url },
        reason: CLOSE_REASONS.forbidden.reason,
      },
      {
        what: "no cookie",
        token: `session:${ann.me.csrf}`,
        headers: { origin: server.url },
        reason: CLOSE_REASONS.session_ended.reason,
      },
      {
        what: "foreign origin",
        token: `session:${ann.me.csrf}`,
        headers: { cookie: ann.cookie, origin: "http://127.0.0.1:1" },
        reason: CLOSE_REASONS.forbidden.reason,
      },
    ];
    for (const refusal of refusals) {
      const doc = new Y.Doc();
      appendTimelineEntry(doc, {
        author: "X",
        text: `sent by ${refusal.what}`,
        kind: "observation",
      });
      const provider = browserProvider(key, refusal.token, refusal.headers, [], doc);
      expect(await whenRefused(provider, 5_000), refusal.what).toBe(refusal.reason);
      provider.destroy();
    }
    const texts = await timelineTexts(key);
    for (const refusal of refusals) expect(texts).not.toContain(`sent by ${refusal.what}`);
    expect(readTimeline(watcher.document).map((e) => e.text)).toEqual(
      readTimeline(annDoc).map((e) => e.text),
    );
  });

  it("signs out only with the CSRF header, then clears the cookie, closes the session's websocket and refuses the cookie", async () => {
    const ann = await signIn(server, server.token, "Ann");
    const ben = await signIn(server, server.token, "Ben");
    const annSockets: WebSocket[] = [];
    const annProvider = sessionProvider(ann, annSockets);
    const benSockets: WebSocket[] = [];
    const benProvider = sessionProvider(ben, benSockets);
    await Promise.all([whenSynced(annProvider), whenSynced(benProvider)]);

    const forged = await send(server, "POST", "/auth/logout", {
      cookie: ann.cookie,
      headers: { origin: server.url },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("csrf_refused");
    expect(forged.setCookies).toEqual([]);
    expect((await me(server, ann.cookie)).status).toBe(200);
    expect(annSockets[0].readyState).toBe(WebSocket.OPEN);

    const closed = closedWith(annSockets[0]);
    const out = await change(server, ann, "POST", "/auth/logout");
    expect(out.status).toBe(204);
    expect(out.setCookies).toHaveLength(1);
    expect(out.setCookies[0].name).toBe("hotdoc_session");
    expect(out.setCookies[0].value).toBe("");
    expect(clears(out.setCookies[0])).toBe(true);
    expect(await withTimeout(closed, 1_000, "the signed-out socket to close")).toEqual({
      code: CLOSE_REASONS.session_ended.code,
      reason: CLOSE_REASONS.session_ended.reason,
    });
    const after = await me(server, ann.cookie);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("session_revoked");

    // Ben's session and socket are untouched.
    expect((await me(server, ben.cookie)).body.name).toBe("Ben");
    expect(benSockets[0].readyState).toBe(WebSocket.OPEN);
    // Ann's personal link is hers to keep: signing out ends the session, not the link.
    expect((await server.api("GET", "/api/me", undefined, tokenOf(ann.personalLink!))).status).toBe(
      200,
    );
  });

  it("lets an admin list and revoke sessions, and revoking a team link ends the links and sessions minted from it", async () => {
    const ann = await signIn(server, server.token, "Ann");
    const ben = await signIn(server, server.token, "Ben");
    const listed = await server.api("GET", "/api/sessions");
    expect(listed.status).toBe(200);
    const annSession = listed.body.sessions.find((s: { name: string }) => s.name === "Ann");
    expect(annSession).toMatchObject({ subject: ann.me.subject, via: "link", revokedAt: null });
    expect(listed.body.sessions.map((s: { name: string }) => s.name).sort()).toEqual([
      "Ann",
      "Ben",
    ]);
    // A session is not an admin: it cannot list sessions.
    expect((await send(server, "GET", "/api/sessions", { cookie: ann.cookie })).status).toBe(403);

    const annSockets: WebSocket[] = [];
    const annProvider = sessionProvider(ann, annSockets);
    await whenSynced(annProvider);
    const annClosed = closedWith(annSockets[0]);
    expect((await server.api("DELETE", `/api/sessions/${annSession.id}`)).status).toBe(204);
    expect(await withTimeout(annClosed, 1_000, "the revoked session's socket to close")).toEqual({
      code: CLOSE_REASONS.session_ended.code,
      reason: CLOSE_REASONS.session_ended.reason,
    });
    expect((await me(server, ann.cookie)).status).toBe(401);
    expect((await me(server, ben.cookie)).status).toBe(200);

    // A team link, a person who opened it (a session and a personal link), and a viewer.
    const team = await server.api("POST", `/api/incidents/${key}/links`, { role: "responder" });
    const cat = await signIn(server, team.body.token, "Cat");
    const viewerLink = await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer" });
    const catSockets: WebSocket[] = [];
    const catProvider = sessionProvider(cat, catSockets);
    const catByLink = track(connectProvider(server.wsUrl, key, tokenOf(cat.personalLink!)));
    const viewer = track(connectProvider(server.wsUrl, key, viewerLink.body.token));
    await Promise.all([whenSynced(catProvider), whenSynced(catByLink), whenSynced(viewer)]);
    const catClosed = closedWith(catSockets[0]);
    const catLinkClosed = withTimeout(
      new Promise<void>((resolve) => catByLink.on("close", () => resolve())),
      1_000,
      "the personal link's connection to close",
    );

    expect((await server.api("DELETE", `/api/incidents/${key}/links/${team.body.id}`)).status).toBe(
      204,
    );
    expect(await withTimeout(catClosed, 1_000, "the session's socket to close")).toEqual({
      code: CLOSE_REASONS.token_revoked.code,
      reason: CLOSE_REASONS.token_revoked.reason,
    });
    await catLinkClosed;
    const catMe = await me(server, cat.cookie);
    expect(catMe.status).toBe(401);
    expect(catMe.body.error.code).toBe("session_revoked");
    const personal = await server.api("GET", "/api/me", undefined, tokenOf(cat.personalLink!));
    expect(personal.status).toBe(401);
    expect(personal.body.error.code).toBe("token_revoked");
    const records = await server.hotdoc.stores.tokens.listAccessTokens(key);
    expect(records.find((t) => t.name === "Cat")?.revokedAt).toEqual(expect.any(Number));
    // What did not stand on the team link is untouched.
    expect((await me(server, ben.cookie)).status).toBe(200);
    expect((await server.api("GET", "/api/me", undefined, viewerLink.body.token)).body.role).toBe(
      "viewer",
    );
    expect(records.find((t) => t.id === viewerLink.body.id)?.revokedAt).toBeNull();
  });

  it("expires a session after SESSION_HOURS", async () => {
    // 0.0005 h (1.8 s) is the shortest lifetime server/config.ts accepts.
    const short = await startTestServer({ env: { SESSION_HOURS: "0.0005" } });
    cleanups.push(() => short.close());
    const ann = await signIn(short, short.token, "Ann");
    expect(Number(ann.set.attributes["max-age"])).toBeLessThanOrEqual(2);
    const expiresAt = Date.parse(ann.me.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(1_800);
    expect((await me(short, ann.cookie)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    const expired = await me(short, ann.cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("session_expired");
    // The personal link it came from lives on.
    expect((await short.api("GET", "/api/me", undefined, tokenOf(ann.personalLink!))).status).toBe(
      200,
    );
  });

  it("over https names the cookie __Host-hotdoc_session and marks it Secure", async () => {
    const https = await startTestServer({ env: { PUBLIC_URL: "https://hotdoc.example" } });
    cleanups.push(() => https.close());
    const reply = await send(https, "POST", "/auth/link", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: https.token, name: "Ann" }),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.personalLink).toMatch(/^https:\/\/hotdoc\.example\/#token=/);
    expect(reply.setCookies).toHaveLength(1);
    const [set] = reply.setCookies;
    // Soft: a wrong name is reported with everything else this test checks.
    expect.soft(set.name).toBe("__Host-hotdoc_session");
    expect(set.attributes).toMatchObject({
      secure: true,
      httponly: true,
      samesite: "Lax",
      path: "/",
    });
    expect(set.attributes.domain).toBeUndefined();
    // The server reads the cookie back under that name (a TLS proxy forwards it to us).
    expect((await me(https, `__Host-hotdoc_session=${set.value}`)).body.name).toBe("Ann");
    expect((await me(https, `hotdoc_session=${set.value}`)).status).toBe(401);

    // Signing out clears the cookie under the same name.
    const out = await send(https, "POST", "/auth/logout", {
      cookie: `__Host-hotdoc_session=${set.value}`,
      headers: { "x-csrf-token": reply.body.me.csrf },
    });
    expect(out.status).toBe(204);
    expect(out.setCookies).toHaveLength(1);
    expect.soft(out.setCookies[0].name).toBe("__Host-hotdoc_session");
    expect(out.setCookies[0].attributes.secure).toBe(true);
    expect(clears(out.setCookies[0])).toBe(true);
    expect((await me(https, `__Host-hotdoc_session=${set.value}`)).status).toBe(401);
  });

  it("rotating the admin token ends the personal links minted from the old one, and their sessions", async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    let ann: Browser;
    try {
      ann = await signIn(first, first.token, "Ann");
      expect((await me(first, ann.cookie)).status).toBe(200);
    } finally {
      await first.close();
    }
    // The same data, the same token: nothing changes.
    const again = await startTestServer({ dataDir });
    try {
      expect((await me(again, ann.cookie)).status).toBe(200);
    } finally {
      await again.close();
    }
    const rotated = await startTestServer({
      dataDir,
      env: { ADMIN_TOKEN: "a-brand-new-admin-token-0123456789" },
    });
    try {
      const after = await me(rotated, ann.cookie);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe("session_revoked");
      const bearer = await rotated.api("GET", "/api/me", undefined, tokenOf(ann.personalLink!));
      expect(bearer.status).toBe(401);
      expect(bearer.body.error.code).toBe("token_revoked");
    } finally {
      await rotated.close();
    }
  });

  it("a personal link is revoked with its team link even when it was minted in that instant", async () => {
    const team = await server.api("POST", `/api/incidents/${key}/links`, { role: "responder" });
    // Stands in for a mint that lands after the revocation's update: the child row is written
    // once the parent is already revoked.
    await server.api("DELETE", `/api/incidents/${key}/links/${team.body.id}`);
    await server.hotdoc.stores.tokens.saveAccessToken({
      id: "late-child",
      role: "responder",
      name: "Late",
      scope: key,
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      createdBy: team.body.id,
      revokedAt: null,
      shared: false,
      parent: team.body.id,
    });
    expect(await server.hotdoc.stores.tokens.accessTokenStatus("late-child")).toBe("revoked");
  });

  it("a team link used directly only reads; the admin token names entries, a person cannot", async () => {
    const team = await server.api("POST", `/api/incidents/${key}/links`, { role: "responder" });
    const write = await server.api(
      "POST",
      `/api/incidents/${key}/timeline`,
      { text: "anonymous" },
      team.body.token,
    );
    expect(write.status).toBe(403);
    expect(
      (await server.api("GET", `/api/incidents/${key}`, undefined, team.body.token)).status,
    ).toBe(200);

    const mallory = await signIn(server, server.token, "Mallory");
    const posed = await change(server, mallory, "POST", `/api/incidents/${key}/timeline`, {
      text: "posing",
      author: "Alice Archer",
      source: "slack",
    });
    expect(posed.status).toBe(201);
    expect(posed.body.entry).toMatchObject({ author: "Mallory", source: "api" });
    const named = await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "imported",
      author: "Alertmanager",
      source: "webhook",
    });
    expect(named.body.entry).toMatchObject({ author: "Alertmanager", source: "webhook" });
  });

  it("refuses names that could pass for someone else's (control and bidi characters)", async () => {
    for (const name of ["\u202enamdA", "Ann\u0000", "An\u200dn"]) {
      const reply = await exchange(server, server.token, name);
      expect(reply.status, JSON.stringify(name)).toBe(400);
      expect(reply.setCookies).toEqual([]);
    }
    expect(await personalTokens(server)).toEqual([]);
  });

  it("with an identity provider the admin token opens no browser session", async () => {
    const withOidc = await startTestServer({
      env: {
        OIDC_ISSUER: "http://127.0.0.1:9/",
        OIDC_CLIENT_ID: "hotdoc",
        OIDC_CLIENT_SECRET: "secret",
      },
    });
    try {
      const reply = await exchange(withOidc, withOidc.token, "Ann");
      expect(reply.status).toBe(403);
      expect(reply.setCookies).toEqual([]);
      expect(await personalTokens(withOidc)).toEqual([]);
      // A viewer link still opens the page for a stakeholder.
      const incident = (await withOidc.api("POST", "/api/incidents", { summary: "x", severity: 3 }))
        .body.key;
      const viewer = await withOidc.api("POST", `/api/incidents/${incident}/links`, {
        role: "viewer",
      });
      expect((await exchange(withOidc, viewer.body.token)).status).toBe(200);
    } finally {
      await withOidc.close();
    }
  });

  it("npm start's team link: asks each person their name, stays across restarts, ends with the admin token", async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    let teamLink: string;
    let apiToken: string;
    let dana: Browser;
    try {
      teamLink = first.hotdoc.teamLink as string;
      expect(teamLink).toMatch(/^eyJ/);
      expect(teamLink).not.toBe(first.token);
      expect((await exchange(first, teamLink)).body.error.code).toBe("name_required");
      dana = await signIn(first, teamLink, "Dana");
      expect(dana.me).toMatchObject({ name: "Dana", role: "responder", scope: "*" });
      // The team link on its own changes nothing.
      const incident = await first.api(
        "POST",
        "/api/incidents",
        { summary: "x", severity: 3 },
        teamLink,
      );
      expect(incident.status).toBe(403);
      apiToken = (
        await first.api("POST", "/api/tokens", { role: "admin", scope: "*", name: "ops bot" })
      ).body.token;
      const listed = await first.api("GET", "/api/tokens");
      expect(listed.status).toBe(200);
      expect(listed.body.tokens.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(["Team", "Dana", "ops bot", "admin bootstrap token"]),
      );
    } finally {
      await first.close();
    }
    const again = await startTestServer({ dataDir });
    try {
      expect(again.hotdoc.teamLink).toBe(teamLink);
    } finally {
      await again.close();
    }
    const rotated = await startTestServer({
      dataDir,
      env: { ADMIN_TOKEN: "another-admin-token-0123456789" },
    });
    try {
      expect(rotated.hotdoc.teamLink).not.toBe(teamLink);
      for (const token of [teamLink, apiToken, tokenOf(dana.personalLink!)])
        expect((await rotated.api("GET", "/api/me", undefined, token)).status).toBe(401);
      expect((await me(rotated, dana.cookie)).status).toBe(401);
    } finally {
      await rotated.close();
    }
  });
});
