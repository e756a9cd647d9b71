import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type Adapter, type AdapterPayload } from "oidc-provider";

/**
 * A real OpenID Provider for tests: `oidc-provider` (panva/node-oidc-provider, v9),
 * listening on 127.0.0.1 over plain http, with one confidential client ("hotdoc") and
 * three people. Sign-in goes through oidc-provider's own development login form
 * (`features.devInteractions`, on by default: "These views accept any username (used as
 * the subject claim value) and any password", docs/README.md#featuresdevinteractions),
 * which `signInOverHttp` fills in without a browser.
 */

export interface TestUser {
  id: string;
  name: string;
  email: string;
  groups: string[];
  /** The development login form asks for a password and accepts any. */
  password?: string;
}

export const TEST_USERS: { alice: TestUser; bob: TestUser; carol: TestUser } = {
  alice: { id: "alice", name: "Alice Archer", email: "alice@example.com", groups: ["sre"] },
  bob: { id: "bob", name: "Bob Baker", email: "bob@example.com", groups: ["payments"] },
  carol: { id: "carol", name: "Carol Cole", email: "carol@outside.test", groups: [] },
};

export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The client's registered redirect URIs (the hotdoc server's port is known only later). */
  setRedirectUris(uris: string[]): void;
  close(): Promise<void>;
}

/**
 * Starts the provider. `port` (default 0: any free one) lets a test bring the provider
 * up at an address a client already failed to reach; `unverifiedEmails` lists the users
 * whose email this provider reports as not verified (`email_verified: false`).
 */
export async function startOidcProvider(
  options: { port?: number; unverifiedEmails?: string[] } = {},
): Promise<TestOidcProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "hotdoc";
  const clientSecret = crypto.randomBytes(24).toString("base64url");
  let redirectUris: string[] = [];

  // The signing key is made here, so the provider does not fall back to its built-in
  // development keys (and warn about them). RS256 is the default ID token algorithm of
  // both oidc-provider and openid-client.
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "test-key" };

  const provider = withoutDevInteractionsNotice(
    () =>
      new Provider(issuer, {
        // Redirect URIs that change after start: the client is not in `clients` (static
        // clients are validated once, at construction) but comes from the adapter's
        // `find`, which oidc-provider asks for any client id it does not know ("For dynamic
        // client resolution, the authorization server will invoke the adapter's `find`
        // method", docs/README.md#clients). `find` returns the current metadata;
        // oidc-provider caches a client by a hash of its metadata, so new redirect URIs
        // make a new client object.
        adapter: memoryAdapter(() =>
          redirectUris.length === 0
            ? undefined
            : {
                client_id: clientId,
                client_secret: clientSecret,
                redirect_uris: redirectUris,
                grant_types: ["authorization_code"],
                response_types: ["code"],
                // openid-client authenticates with client_secret_post unless told otherwise
                // (openid-client build/index.d.ts, `discovery`: "Default is ClientSecretPost").
                token_endpoint_auth_method: "client_secret_post",
              },
        ),
        jwks: { keys: [jwk] },
        async findAccount(_ctx, id) {
          const user = Object.values(TEST_USERS).find((u) => u.id === id);
          if (!user) return undefined;
          return {
            accountId: user.id,
            // oidc-provider keeps only the claims the granted scopes map to (`claims` below).
            claims: () => ({
              sub: user.id,
              name: user.name,
              email: user.email,
              email_verified: !options.unverifiedEmails?.includes(user.id),
              groups: user.groups,
            }),
          };
        },
        // Which scope releases which claim (docs/README.md#claims). `groups` has a scope
        // of its own, as many providers do, and also rides on `profile`, so hotdoc's
        // default scopes ("openid profile email") receive it. With oidc-provider's default
        // `conformIdTokenClaims: true`, scope-requested claims come from the UserInfo
        // endpoint and the ID token carries `sub` only: hotdoc must fetch UserInfo.
        claims: {
          openid: ["sub"],
          profile: ["name", "groups"],
          email: ["email", "email_verified"],
          groups: ["groups"],
        },
        // Consent is skipped for this first-party client with the documented recipe: "To
        // simply silently 'accept' first-party/resource indicated scopes or
        // pre-agreed-upon claims use the `loadExistingGrant` configuration helper
        // function, in there you may just instantiate (and save!) a grant for the current
        // clientId and accountId values" (docs/README.md#interactionspolicy). It is called
        // once the person is signed in. A fresh grant each time holds exactly what this
        // request asks for.
        async loadExistingGrant(ctx) {
          const { oidc } = ctx;
          if (!oidc.account || !oidc.client) return undefined;
          const grant = new oidc.provider.Grant({
            accountId: oidc.account.accountId,
            clientId: oidc.client.clientId,
          });
          grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(" "));
          if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
          await grant.save();
          return grant;
        },
        // Explicit lifetimes and error page: the defaults print a notice when first used.
        ttl: {
          AccessToken: 600,
          AuthorizationCode: 60,
          IdToken: 600,
          Interaction: 600,
          Session: 3600,
          Grant: 3600,
        },
        renderError(ctx, out) {
          ctx.type = "text/plain";
          ctx.body = `${out.error}: ${out.error_description ?? ""}`;
        },
      }),
  );
  // Errors stay visible: anything the provider fails on unexpectedly is printed.
  provider.on("server_error", (_ctx, error) => console.error("oidc-provider server_error", error));
  server.on("request", provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    setRedirectUris(uris) {
      redirectUris = [...uris];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Constructing a provider with `devInteractions` on prints a warning that they are for
 * development only, which is exactly how these tests use them; that one line is
 * dropped (lib/actions/interaction.js, `initialize`). Every other warning passes.
 */
function withoutDevInteractionsNotice<T>(construct: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (String(args[0]).includes("development-only feature devInteractions")) return;
    warn(...args);
  };
  try {
    return construct();
  } finally {
    console.warn = warn;
  }
}

/**
 * oidc-provider's storage interface (its example/my_adapter.js; types in
 * @types/oidc-provider `Adapter`), in memory. The `Client` model reads the one client's
 * current metadata; every other model is a map with expiry. `consume` marks a code
 * used, which is how oidc-provider sees a replayed authorization code.
 */
function memoryAdapter(client: () => AdapterPayload | undefined) {
  const items = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string | undefined) => {
    const item = key === undefined ? undefined : items.get(key);
    if (!item) return undefined;
    if (item.expiresAt <= Date.now()) {
      items.delete(key!);
      return undefined;
    }
    return item.payload;
  };
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async find(id) {
        if (model === "Client") {
          const metadata = client();
          return metadata?.client_id === id ? metadata : undefined;
        }
        return live(key(id));
      },
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        items.set(key(id), { payload, expiresAt });
      },
      async findByUid(uid) {
        const found = [...items.entries()].find(
          ([k, item]) => k.startsWith(`${model}:`) && item.payload.uid === uid,
        );
        return live(found?.[0]);
      },
      async findByUserCode(userCode) {
        const found = [...items.entries()].find(
          ([k, item]) => k.startsWith(`${model}:`) && item.payload.userCode === userCode,
        );
        return live(found?.[0]);
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        items.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, item] of items) if (item.payload.grantId === grantId) items.delete(k);
      },
    };
  };
}

/**
 * Signs `userId` in at the provider over plain HTTP, the way a browser would: follows
 * the redirects from `authorizationUrl` with a cookie jar, fills in the login form the
 * provider serves (its action and fields read from the page), and returns the final
 * redirect to the client's redirect_uri (with `code` and `state`) without requesting it.
 */
export async function signInOverHttp(authorizationUrl: string, userId: string): Promise<URL> {
  const provider = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  const user = Object.values(TEST_USERS).find((u) => u.id === userId);
  let request: { url: URL; init: RequestInit } = { url: new URL(authorizationUrl), init: {} };
  let submitted = false;
  for (let step = 0; step < 10; step += 1) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: "manual",
      headers: {
        ...(request.init.headers as Record<string, string> | undefined),
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
      },
    });
    for (const line of response.headers.getSetCookie()) keepCookie(jar, line);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.origin !== provider) return next;
      request = { url: next, init: {} };
      continue;
    }
    const body = await response.text();
    if (response.status !== 200 || submitted)
      throw new Error(
        `sign-in stopped at ${request.url} (${response.status}): ${body.slice(0, 300)}`,
      );
    const form = readForm(body);
    const fields = new URLSearchParams();
    for (const input of form.inputs) {
      if (input.type === "hidden") fields.set(input.name, input.value);
      else if (input.type === "password") fields.set(input.name, user?.password ?? "any password");
      else fields.set(input.name, userId);
    }
    submitted = true;
    request = {
      url: new URL(form.action, request.url),
      init: {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: fields.toString(),
      },
    };
  }
  throw new Error("sign-in did not come back to the client");
}

/** Records one Set-Cookie line (name and value only; every cookie here is the provider's own). */
function keepCookie(jar: Map<string, string>, line: string): void {
  const [pair, ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const expired = attributes.some((a) => {
    const [key, v = ""] = a.trim().split("=");
    if (key.toLowerCase() === "max-age") return Number(v) <= 0;
    if (key.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
    return false;
  });
  if (expired || value === "") jar.delete(name);
  else jar.set(name, value);
}

/** The first form of a page: its action and its inputs' type, name and value. */
function readForm(html: string): {
  action: string;
  inputs: { type: string; name: string; value: string }[];
} {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the provider's page: ${html.slice(0, 300)}`);
  const action = attributes(form[1]).get("action");
  if (!action) throw new Error("the provider's form has no action");
  const inputs = [...form[2].matchAll(/<input\b([^>]*)>/gi)]
    .map((match) => attributes(match[1]))
    .filter((a) => a.has("name"))
    .map((a) => ({
      type: a.get("type") ?? "text",
      name: a.get("name")!,
      value: a.get("value") ?? "",
    }));
  return { action, inputs };
}

function attributes(source: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of source.matchAll(/([\w-]+)(?:\s*=\s*"([^"]*)")?/g))
    found.set(match[1].toLowerCase(), unescapeHtml(match[2] ?? ""));
  return found;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
