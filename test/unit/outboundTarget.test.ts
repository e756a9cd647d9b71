import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import {
  OutboundTargets,
  parseAllowedTargets,
  type ResolveAll,
  TargetRefusedError,
} from "../../server/net/outboundTarget.ts";

/** A resolver that answers from a table, as DNS would (an unknown name is ENOTFOUND). */
function resolver(table: Record<string, string[]>): ResolveAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

async function refusal(targets: OutboundTargets, url: string): Promise<string> {
  try {
    await targets.check(url);
  } catch (error) {
    expect(error).toBeInstanceOf(TargetRefusedError);
    return (error as Error).message;
  }
  throw new Error(`${url} was not refused`);
}

describe("outbound webhook targets", () => {
  it("parses WEBHOOK_ALLOWED_TARGETS entries: names, name:port, CIDR ranges and single addresses", () => {
    const targets = parseAllowedTargets(
      " hooks.internal , mattermost.corp:8065, 10.0.0.0/8,fd00::/8, 127.0.0.1, [::1]:9000,,",
    );
    expect(
      targets.map((t) => (t.kind === "host" ? `${t.host}:${t.port ?? "*"}` : `cidr ${t.text}`)),
    ).toEqual([
      "hooks.internal:*",
      "mattermost.corp:8065",
      "cidr 10.0.0.0/8",
      "cidr fd00::/8",
      "cidr 127.0.0.1",
      "[::1]:9000",
    ]);
    expect(parseAllowedTargets("")).toEqual([]);
  });

  it("refuses a bad WEBHOOK_ALLOWED_TARGETS at start-up, naming the variable and the entry", () => {
    for (const bad of ["10.0.0.0/99", "http://x.example/path", "host:99999", "a b"]) {
      expect(() => loadConfig({ WEBHOOK_ALLOWED_TARGETS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ WEBHOOK_ALLOWED_TARGETS: bad }), bad).toThrow(
        /WEBHOOK_ALLOWED_TARGETS/,
      );
    }
    expect(loadConfig({}).webhookAllowedTargets).toEqual([]);
  });

  it("refuses loopback, private, link-local, metadata, unique-local, CGNAT, multicast, unspecified and IPv4-mapped forms", async () => {
    const targets = new OutboundTargets([], { resolve: resolver({}) });
    const cases: [string, RegExp][] = [
      ["http://127.0.0.1:8080/hook", /loopback/],
      ["http://2130706433/", /loopback/], // 127.0.0.1 as one number: the URL parser normalises it
      ["http://0x7f.1/", /loopback/],
      ["http://10.1.2.3/", /private/],
      ["http://172.16.0.1/", /private/],
      ["http://192.168.1.1/", /private/],
      ["http://169.254.169.254/latest/meta-data/", /linkLocal/],
      ["http://100.64.0.1/", /carrierGradeNat/],
      ["http://224.0.0.1/", /multicast/],
      ["http://0.0.0.0/", /unspecified/],
      ["http://[::1]/", /loopback/],
      ["http://[fe80::1]/", /linkLocal/],
      ["http://[fc00::1]/", /uniqueLocal/],
      ["http://[::ffff:127.0.0.1]/", /loopback/],
      ["http://[::ffff:a9fe:a9fe]/", /linkLocal/],
      ["http://[64:ff9b::7f00:1]/", /rfc6052/],
      ["http://[::]/", /unspecified/],
      // The deprecated IPv4-compatible form (::/96), which ipaddr.js calls unicast.
      ["http://[::7f00:1]/", /ipv4Compatible/],
      ["http://[::a9fe:a9fe]/", /ipv4Compatible/],
    ];
    for (const [url, reason] of cases) expect(await refusal(targets, url), url).toMatch(reason);
  });

  it("refuses a name that resolves to a refused address, even when it also resolves to a public one", async () => {
    const targets = new OutboundTargets([], {
      resolve: resolver({
        "internal.example": ["10.0.0.5"],
        "mixed.example": ["93.184.216.34", "127.0.0.1"],
        "hooks.example": ["93.184.216.34"],
      }),
    });
    expect(await refusal(targets, "https://internal.example/hook")).toMatch(
      /internal\.example resolves to 10\.0\.0\.5/,
    );
    expect(await refusal(targets, "https://mixed.example/hook")).toMatch(/loopback/);
    expect(await refusal(targets, "https://nowhere.example/hook")).toMatch(
      /could not be resolved \(ENOTFOUND\)/,
    );
    await expect(targets.check("https://hooks.example/services/T0/B0/x")).resolves.toMatchObject({
      addresses: [{ address: "93.184.216.34" }],
    });
  });

  it("refuses localhost through the system resolver", async () => {
    expect(await refusal(new OutboundTargets(), "http://localhost:3000/internal/admin")).toMatch(
      /loopback/,
    );
  });

  it("refuses other schemes and URLs with credentials", async () => {
    const targets = new OutboundTargets([], {
      resolve: resolver({ "hooks.example": ["93.184.216.34"] }),
    });
    expect(await refusal(targets, "ftp://hooks.example/x")).toMatch(/only http and https/);
    expect(await refusal(targets, "file:///etc/passwd")).toMatch(/only http and https/);
    expect(await refusal(targets, "https://user:pass@hooks.example/x")).toMatch(
      /user name or password/,
    );
  });

  it("lets an operator allow a range, a host, or a host on one port", async () => {
    const targets = new OutboundTargets(
      parseAllowedTargets("10.0.0.0/8,mattermost.corp:8065,chat.corp"),
      {
        resolve: resolver({
          "mattermost.corp": ["192.168.5.5"],
          "chat.corp": ["192.168.5.6"],
          "db.corp": ["192.168.5.7"],
        }),
      },
    );
    await expect(targets.check("http://10.9.8.7/hook")).resolves.toBeDefined();
    await expect(targets.check("http://[::ffff:10.9.8.7]/hook")).resolves.toBeDefined();
    await expect(targets.check("http://mattermost.corp:8065/hooks/abc")).resolves.toBeDefined();
    await expect(targets.check("https://chat.corp/hooks/abc")).resolves.toBeDefined();
    expect(await refusal(targets, "http://mattermost.corp:22/")).toMatch(/private/);
    expect(await refusal(targets, "http://db.corp/")).toMatch(/private/);
    expect(await refusal(targets, "http://127.0.0.1/")).toMatch(/loopback/);
  });

  describe("posting", () => {
    const received: { host?: string; url?: string }[] = [];
    const redirected: string[] = [];
    let server: http.Server;
    let elsewhere: http.Server;
    let port: number;
    let elsewherePort: number;
    const listen = (s: http.Server) =>
      new Promise<number>((resolve) =>
        s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)),
      );

    beforeAll(async () => {
      elsewhere = http.createServer((request, response) => {
        redirected.push(request.url ?? "");
        response.end("ok");
      });
      elsewherePort = await listen(elsewhere);
      server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => {
          received.push({ host: request.headers.host, url: request.url });
          if (request.url === "/moved") {
            response.writeHead(302, {
              location: `http://127.0.0.1:${elsewherePort}/internal/admin`,
            });
            response.end();
          } else {
            response.end("ok");
          }
        });
      });
      port = await listen(server);
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => elsewhere.close(resolve));
    });

    it("connects to the address it checked, so a second DNS answer cannot swap it (rebinding)", async () => {
      let lookups = 0;
      // The first answer is the allowed address; any later one would point elsewhere.
      const rebinding: ResolveAll = async () => [
        { address: lookups++ === 0 ? "127.0.0.1" : "127.0.0.2", family: 4 },
      ];
      const targets = new OutboundTargets(parseAllowedTargets("127.0.0.1"), { resolve: rebinding });
      const result = await targets.postJson(
        `http://rebind.example:${port}/hook`,
        { text: "hi" },
        { timeoutMs: 5000 },
      );
      expect(result.status).toBe(200);
      expect(lookups).toBe(1);
      expect(received.at(-1)).toEqual({ host: `rebind.example:${port}`, url: "/hook" });
    });

    it("never follows a redirect: the 3xx is the answer, and its target receives nothing", async () => {
      const targets = new OutboundTargets(parseAllowedTargets("127.0.0.1"));
      const result = await targets.postJson(
        `http://127.0.0.1:${port}/moved`,
        { text: "hi" },
        { timeoutMs: 5000 },
      );
      expect(result).toEqual({
        status: 302,
        location: `http://127.0.0.1:${elsewherePort}/internal/admin`,
      });
      expect(redirected).toEqual([]);
    });

    it("refuses before connecting when the target is not allowed", async () => {
      const before = received.length;
      await expect(
        new OutboundTargets().postJson(
          `http://127.0.0.1:${port}/hook`,
          { text: "hi" },
          { timeoutMs: 5000 },
        ),
      ).rejects.toBeInstanceOf(TargetRefusedError);
      expect(received.length).toBe(before);
    });
  });
});
