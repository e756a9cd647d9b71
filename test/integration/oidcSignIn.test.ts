import crypto from "node:crypto";
import net from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OidcSignIn } from "../../server/access/OidcSignIn.ts";
import type { OidcSettings } from "../../server/config.ts";
import { HotdocError } from "../../server/errors.ts";
import { createLogger } from "../../server/logger.ts";
import {
  signInOverHttp,
  startOidcProvider,
  TEST_USERS,
  type TestOidcProvider,
} from "../helpers/oidcProvider.ts";

// Never requested: signInOverHttp stops at the redirect to it.
const REDIRECT_URI = "http://127.0.0.1:9/auth/callback";

describe("OIDC sign-in against a real OpenID Provider", () => {
  let idp: TestOidcProvider;
  const secret = crypto.randomBytes(32);

  beforeAll(async () => {
    idp = await startOidcProvider();
    idp.setRedirectUris([REDIRECT_URI]);
  });
  afterAll(() => idp.close());

  function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
    return {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      providerName: "Test IdP",
      scopes: "openid profile email",
      defaultRole: "responder",
      adminEmails: [],
      adminGroups: [],
      groupsClaim: "groups",
      allowedDomains: [],
      ...overrides,
    };
  }

  function signIn(overrides: Partial<OidcSettings> = {}, extra: { now?: () => number } = {}) {
    return new OidcSignIn({
      settings: settings(overrides),
      redirectUri: () => REDIRECT_URI,
      secret,
      ...extra,
    });
  }

  /** A whole sign-in of `userId`: begin, the provider's login, finish. */
  async function signInAs(oidc: OidcSignIn, userId: string, next = "/") {
    const { url, cookie } = await oidc.begin(next);
    const callback = await signInOverHttp(url, userId);
    return oidc.finish(callback, cookie);
  }

  async function failure(promise: Promise<unknown>): Promise<HotdocError> {
    const error = await promise.then(
      () => {
        throw new Error("expected the sign-in to fail");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HotdocError);
    return error as HotdocError;
  }

  it("sends the browser to the provider with PKCE, state and nonce, and keeps them sealed in the cookie", async () => {
    const { url, cookie } = await signIn().begin("/HOT-3");
    const params = new URL(url).searchParams;
    expect(url.startsWith(`${idp.issuer}/`)).toBe(true);
    expect(params.get("client_id")).toBe(idp.clientId);
    expect(params.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(params.get("response_type")).toBe("code");
    expect(params.get("scope")).toBe("openid profile email");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    const state = params.get("state")!;
    const nonce = params.get("nonce")!;
    expect(state.length).toBeGreaterThan(20);
    expect(nonce.length).toBeGreaterThan(20);
    expect(cookie).not.toContain(state);
    expect(cookie).not.toContain(nonce);
    expect(Buffer.from(cookie.split(".")[0], "base64url").toString()).toContain('"dir"');
    // Another begin draws new values.
    const again = new URL((await signIn().begin("/")).url).searchParams;
    expect(again.get("state")).not.toBe(state);
    expect(again.get("nonce")).not.toBe(nonce);
    expect(again.get("code_challenge")).not.toBe(params.get("code_challenge"));
  });

  it("signs alice in with her name, email and the default role, and returns to next", async () => {
    const result = await signInAs(signIn(), "alice", "/HOT-3");
    expect(result).toEqual({
      person: {
        subject: "oidc:alice",
        name: TEST_USERS.alice.name,
        email: TEST_USERS.alice.email,
        role: "responder",
      },
      next: "/HOT-3",
    });
  });

  it("makes an admin by email, and only that email", async () => {
    const oidc = signIn({ adminEmails: ["bob@example.com"] });
    expect((await signInAs(oidc, "bob")).person.role).toBe("admin");
    expect((await signInAs(oidc, "alice")).person.role).toBe("responder");
  });

  it("makes an admin by group from the groups claim", async () => {
    const oidc = signIn({ adminGroups: ["sre"] });
    expect((await signInAs(oidc, "alice")).person.role).toBe("admin");
    expect((await signInAs(oidc, "bob")).person.role).toBe("responder");
  });

  it("reads the groups from the configured claim only", async () => {
    const oidc = signIn({ adminGroups: ["sre"], groupsClaim: "roles" });
    expect((await signInAs(oidc, "alice")).person.role).toBe("responder");
  });

  it("gives the configured default role to everyone else", async () => {
    const result = await signInAs(signIn({ defaultRole: "viewer" }), "bob");
    expect(result.person).toEqual({
      subject: "oidc:bob",
      name: "Bob Baker",
      email: "bob@example.com",
      role: "viewer",
    });
  });

  it("refuses an email domain that is not allowed", async () => {
    const oidc = signIn({ allowedDomains: ["example.com"] });
    const error = await failure(signInAs(oidc, "carol"));
    expect(error.code).toBe("signin_refused");
    expect((await signInAs(oidc, "alice")).person.subject).toBe("oidc:alice");
  });

  it("does not let an email the provider has not verified decide anything", async () => {
    const unverified = await startOidcProvider({ unverifiedEmails: ["bob"] });
    try {
      unverified.setRedirectUris([REDIRECT_URI]);
      const against = (overrides: Partial<OidcSettings>) =>
        signIn({
          issuer: unverified.issuer,
          clientSecret: unverified.clientSecret,
          ...overrides,
        });
      const bob = await signInAs(against({ adminEmails: ["bob@example.com"] }), "bob");
      expect(bob.person).toEqual({
        subject: "oidc:bob",
        name: "Bob Baker",
        email: null,
        role: "responder",
      });
      const refused = await failure(signInAs(against({ allowedDomains: ["example.com"] }), "bob"));
      expect(refused.code).toBe("signin_refused");
      // The same provider's verified addresses still count.
      const alice = await signInAs(against({ adminEmails: ["alice@example.com"] }), "alice");
      expect(alice.person.role).toBe("admin");
    } finally {
      await unverified.close();
    }
  });

  it("fails a callback whose state was tampered with, and logs why", async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString()));
    const oidc = new OidcSignIn({
      settings: settings(),
      redirectUri: () => REDIRECT_URI,
      secret,
      logger: createLogger("warn", stream),
    });
    const { url, cookie } = await oidc.begin("/");
    const callback = await signInOverHttp(url, "alice");
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state-value");
    const error = await failure(oidc.finish(forged, cookie));
    expect(error.code).toBe("signin_failed");
    expect(error.message).toMatch(/state/);
    await new Promise((resolve) => setImmediate(resolve));
    const log = lines.join("");
    expect(log).toContain("OIDC sign-in failed");
    expect(log).not.toContain(idp.clientSecret);
    expect(log).not.toContain(callback.searchParams.get("code"));
  });

  it("refuses to use a code twice", async () => {
    const oidc = signIn();
    const { url, cookie } = await oidc.begin("/");
    const callback = await signInOverHttp(url, "alice");
    expect((await oidc.finish(callback, cookie)).person.subject).toBe("oidc:alice");
    const error = await failure(oidc.finish(callback, cookie));
    expect(error.code).toBe("signin_failed");
    expect(error.message).toContain("invalid_grant");
  });

  it("fails a callback that comes with another sign-in's cookie", async () => {
    const oidc = signIn();
    const mine = await oidc.begin("/");
    const other = await oidc.begin("/");
    const callback = await signInOverHttp(mine.url, "alice");
    expect((await failure(oidc.finish(callback, other.cookie))).code).toBe("signin_failed");
  });

  it("fails a callback without the cookie, or with a cookie made under another secret", async () => {
    const oidc = signIn();
    const { url } = await oidc.begin("/");
    const callback = await signInOverHttp(url, "alice");
    expect((await failure(oidc.finish(callback, undefined))).code).toBe("signin_failed");
    const stranger = new OidcSignIn({
      settings: settings(),
      redirectUri: () => REDIRECT_URI,
      secret: crypto.randomBytes(32),
    });
    const foreign = (await stranger.begin("/")).cookie;
    expect((await failure(oidc.finish(callback, foreign))).code).toBe("signin_failed");
    expect((await failure(oidc.finish(callback, "not-a-cookie"))).code).toBe("signin_failed");
  });

  it("expires a sign-in that took longer than ten minutes", async () => {
    let now = Date.now();
    const oidc = signIn({}, { now: () => now });
    const { url, cookie } = await oidc.begin("/");
    const callback = await signInOverHttp(url, "alice");
    now += 9 * 60_000;
    const { url: url2, cookie: cookie2 } = await oidc.begin("/");
    now += 2 * 60_000; // the first is now 11 minutes old, the second 2
    expect((await failure(oidc.finish(callback, cookie))).code).toBe("signin_expired");
    const callback2 = await signInOverHttp(url2, "alice");
    expect((await oidc.finish(callback2, cookie2)).person.subject).toBe("oidc:alice");
  });

  it("returns only to a same-origin path", async () => {
    const oidc = signIn();
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "HOT-3"])
      expect((await signInAs(oidc, "alice", next)).next).toBe("/");
    expect((await signInAs(oidc, "alice", "/HOT-3?tab=timeline")).next).toBe("/HOT-3?tab=timeline");
  });

  it("says the provider cannot be reached, and tries again on the next sign-in", async () => {
    const port = await freePort();
    const oidc = new OidcSignIn({
      settings: { ...settings(), issuer: `http://127.0.0.1:${port}` },
      redirectUri: () => REDIRECT_URI,
      secret,
    });
    const error = await failure(oidc.begin("/"));
    expect(error.code).toBe("signin_failed");
    expect(error.message).toMatch(/could not be reached/);
    const late = await startOidcProvider({ port });
    try {
      // The failed discovery was not kept: this begin discovers the provider now there.
      expect(new URL((await oidc.begin("/")).url).origin).toBe(late.issuer);
    } finally {
      await late.close();
    }
  });
});

/** A port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
