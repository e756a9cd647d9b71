import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Where hotdoc may send requests it is told to send (a room's incoming webhook).
 * A URL someone typed must not make the server talk to itself or to the network
 * behind it (SSRF): only public unicast addresses are reachable, unless the
 * operator allows more with WEBHOOK_ALLOWED_TARGETS.
 */

/** One entry of WEBHOOK_ALLOWED_TARGETS: a host name (any port or one port) or an address range. */
export type AllowedTarget =
  | { kind: "host"; host: string; port?: number; text: string }
  | { kind: "cidr"; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; text: string };

const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");

/** Why a target was refused; the message is meant for the person who typed the URL. */
export class TargetRefusedError extends Error {
  /** Refused because the name did not resolve (now), not because of where it points. */
  readonly unresolved: boolean;

  constructor(message: string, options: { unresolved?: boolean } = {}) {
    super(message);
    this.name = "TargetRefusedError";
    this.unresolved = options.unresolved ?? false;
  }
}

/**
 * Parses WEBHOOK_ALLOWED_TARGETS: comma-separated host names (`hooks.internal`),
 * `host:port` (`127.0.0.1:8065`, `[::1]:8065`), or CIDR ranges (`10.0.0.0/8`, `fd00::/8`;
 * a bare address is a range of one). Throws naming the first bad entry.
 */
export function parseAllowedTargets(value: string): AllowedTarget[] {
  const targets: AllowedTarget[] = [];
  for (const raw of value.split(",")) {
    const text = raw.trim();
    if (!text) continue;
    if (text.includes("/")) {
      try {
        targets.push({ kind: "cidr", range: ipaddr.parseCIDR(text), text });
      } catch {
        throw new Error(`"${text}" is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
      }
      continue;
    }
    if (net.isIP(text)) {
      const address = ipaddr.parse(text);
      targets.push({ kind: "cidr", range: [address, address.kind() === "ipv4" ? 32 : 128], text });
      continue;
    }
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/@\s]+)(?::(\d{1,5}))?$/.exec(text);
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    let host: string | undefined;
    try {
      // The URL parser normalises the host exactly as it will when the webhook URL is parsed.
      host = match ? new URL(`http://${match[1]}/`).hostname : undefined;
    } catch {
      host = undefined;
    }
    if (!host || (port !== undefined && (port < 1 || port > 65_535))) {
      throw new Error(`"${text}" is not a host name, host:port or CIDR range`);
    }
    targets.push({ kind: "host", host, port, text });
  }
  return targets;
}

/** Resolves a host name to every address it has (the `all: true` form of dns.lookup). */
export type ResolveAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const DNS_TIMEOUT_MS = 5000;

/** getaddrinfo through libuv, as `http.request` itself would resolve, bounded in time. */
const systemResolve: ResolveAll = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      dns.promises.lookup(hostname, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error("DNS lookup timed out"), { code: "ETIMEOUT" })),
          DNS_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

export interface CheckedTarget {
  url: URL;
  /** The addresses that were checked; a request must connect to one of these and nothing else. */
  addresses: { address: string; family: number }[];
}

/** The answer of a POST: only its status; redirects are reported, never followed. */
export interface PostResult {
  status: number;
  location?: string;
}

/** The answer of a request: status, headers and the body as text (bounded); redirects are returned, never followed. */
export interface RequestResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Largest answer body read from a platform; the rest is dropped. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Checks webhook targets against the policy, and posts to them pinned to the checked address. */
export class OutboundTargets {
  private readonly allowed: AllowedTarget[];
  private readonly resolve: ResolveAll;
  private readonly allowPrivate: boolean;

  /**
   * `allowPrivate` (ALLOW_PRIVATE_WEBHOOKS=1) lifts the address and https rules for
   * every target: for tests and closed networks only.
   */
  constructor(
    allowed: AllowedTarget[] = [],
    options: { resolve?: ResolveAll; allowPrivate?: boolean } = {},
  ) {
    this.allowed = allowed;
    this.resolve = options.resolve ?? systemResolve;
    this.allowPrivate = options.allowPrivate ?? false;
  }

  /**
   * Refuses (TargetRefusedError) a URL that is not https (plain http only to a target
   * the operator allowed), carries credentials, or whose host is, or resolves to, any
   * address outside public unicast space that the operator has not allowed. Every
   * address a name resolves to must pass: a name that answers with one public and one
   * private address is refused.
   */
  async check(raw: string): Promise<CheckedTarget> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetRefusedError("not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new TargetRefusedError(`only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password)
      throw new TargetRefusedError("a webhook URL may not carry a user name or password");
    const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const hostAllowed = this.hostAllowed(url);
    let addresses: { address: string; family: number }[];
    if (net.isIP(literal)) {
      addresses = [{ address: literal, family: net.isIP(literal) }];
    } else {
      try {
        addresses = await this.resolve(url.hostname);
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new TargetRefusedError(
          `${url.hostname} could not be resolved${code ? ` (${code})` : ""}`,
          { unresolved: true },
        );
      }
      if (addresses.length === 0)
        throw new TargetRefusedError(`${url.hostname} could not be resolved`, { unresolved: true });
    }
    if (this.allowPrivate || hostAllowed) return { url, addresses };
    for (const { address } of addresses) {
      const refused = this.refusedRange(address);
      if (refused) {
        const via = address === literal ? "" : ` (${url.hostname} resolves to ${address})`;
        throw new TargetRefusedError(
          `${refused} addresses are not allowed as webhook targets${via}; an operator can allow them with WEBHOOK_ALLOWED_TARGETS`,
        );
      }
    }
    // Plain http is allowed only where the operator allowed the target itself (an
    // internal Mattermost); on the open internet it would hand tokens to anyone on the path.
    if (url.protocol === "http:" && !addresses.every(({ address }) => this.inAllowedRange(address)))
      throw new TargetRefusedError(
        "only https URLs are allowed (plain http only to a target allowed with WEBHOOK_ALLOWED_TARGETS)",
      );
    return { url, addresses };
  }

  /**
   * Sends a request to a checked target, pinned to the checked address, and returns the
   * answer with its body as text (at most 1 MiB read). Redirects are returned as they
   * are, never followed.
   */
  async request(
    raw: string,
    options: {
      method: "GET" | "POST" | "PUT" | "PATCH";
      headers?: Record<string, string>;
      body?: string | Buffer;
      timeoutMs: number;
    },
  ): Promise<RequestResult> {
    const { url, addresses } = await this.check(raw);
    const payload =
      options.body === undefined
        ? undefined
        : Buffer.isBuffer(options.body)
          ? options.body
          : Buffer.from(options.body);
    const send = url.protocol === "https:" ? https.request : http.request;
    return await new Promise<RequestResult>((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: options.method,
          lookup: pinnedLookup(addresses),
          headers: {
            ...options.headers,
            ...(payload ? { "content-length": String(payload.length) } : {}),
          },
          signal: AbortSignal.timeout(options.timeoutMs),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString("utf8"),
            }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(payload);
    });
  }

  /**
   * An agent for a client library that makes its own requests (the Slack Web API
   * client): every connection it opens is checked against the policy with its own host
   * and port, and pinned to the addresses checked, so it can only reach an allowed
   * target. The check sits in `createConnection`, not in a DNS `lookup`: Node skips the
   * lookup for a host that is an IP address, and a lookup does not see the port. The
   * URL's scheme is the agent's: an https agent never speaks plain http.
   */
  async agentFor(raw: string): Promise<http.Agent> {
    const { url } = await this.check(raw);
    const agent =
      url.protocol === "https:"
        ? new https.Agent({ keepAlive: true })
        : new http.Agent({ keepAlive: true });
    const connect = agent.createConnection.bind(agent);
    // Documented asynchronous form: return nothing, hand the socket (or the error) to `done`.
    agent.createConnection = (options, done) => {
      const host = String(options.host ?? options.hostname ?? "localhost").replace(
        /^\[(.*)\]$/,
        "$1",
      );
      const port = options.port ?? options.defaultPort ?? (url.protocol === "https:" ? 443 : 80);
      const target = `${url.protocol}//${net.isIPv6(host) ? `[${host}]` : host}:${port}/`;
      this.check(target).then(
        ({ addresses }) => {
          try {
            const socket = connect({ ...options, lookup: pinnedLookup(addresses) });
            if (socket) done?.(null, socket);
            else done?.(new Error("no connection was made"), undefined as never);
          } catch (error) {
            done?.(error as Error, undefined as never);
          }
        },
        (error: Error) => done?.(Object.assign(error, { code: "ENOTALLOWED" }), undefined as never),
      );
      return undefined;
    };
    return agent;
  }

  /**
   * POSTs JSON to a checked target. The connection goes to an address that was
   * checked (the request's DNS lookup is answered from the check, so a second answer
   * from DNS cannot swap it), and a redirect is returned as it is, never followed.
   */
  async postJson(raw: string, body: unknown, options: { timeoutMs: number }): Promise<PostResult> {
    const { url, addresses } = await this.check(raw);
    const lookup = pinnedLookup(addresses);
    const payload = Buffer.from(JSON.stringify(body));
    const request = url.protocol === "https:" ? https.request : http.request;
    return await new Promise<PostResult>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: "POST",
          lookup,
          headers: { "content-type": "application/json", "content-length": String(payload.length) },
          signal: AbortSignal.timeout(options.timeoutMs),
        },
        (response) => {
          // The body is not needed; reading it lets the socket close or be reused.
          response.resume();
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, location: response.headers.location }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(payload);
    });
  }

  private hostAllowed(url: URL): boolean {
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    return this.allowed.some(
      (target) =>
        target.kind === "host" &&
        target.host === url.hostname &&
        (target.port === undefined || target.port === port),
    );
  }

  /** True when the operator allowed this address by a range in WEBHOOK_ALLOWED_TARGETS. */
  private inAllowedRange(text: string): boolean {
    let address: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(text);
    if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress())
      address = (address as ipaddr.IPv6).toIPv4Address();
    return this.allowed.some(
      (target) =>
        target.kind === "cidr" &&
        target.range[0].kind() === address.kind() &&
        address.match(target.range),
    );
  }

  /** The name of the range an address is refused for, or null if it may be reached. */
  private refusedRange(text: string): string | null {
    let address: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(text);
    // ::ffff:a.b.c.d reaches a.b.c.d: judge it as the IPv4 address it is.
    if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress())
      address = (address as ipaddr.IPv6).toIPv4Address();
    for (const target of this.allowed) {
      if (
        target.kind === "cidr" &&
        target.range[0].kind() === address.kind() &&
        address.match(target.range)
      )
        return null;
    }
    // Only plain public unicast: private, loopback, link-local (cloud metadata), unique-local,
    // CGNAT, multicast, unspecified, reserved, and the IPv6 ranges that embed an IPv4
    // address (NAT64, 6to4, Teredo) are all refused.
    // ipaddr.js calls the deprecated IPv4-compatible form (::a.b.c.d, ::/96) unicast;
    // where that range is routed it reaches the IPv4 address, so it is refused as well.
    const range = address.range();
    if (range !== "unicast") return range;
    return address.kind() === "ipv6" && address.match(IPV4_COMPATIBLE) ? "ipv4Compatible" : null;
  }
}

/** A DNS lookup answered from addresses already checked, so a second DNS answer cannot swap them. */
function pinnedLookup(addresses: { address: string; family: number }[]): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    const family =
      lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
    const candidates = family ? addresses.filter((a) => a.family === family) : addresses;
    if (candidates.length === 0) {
      callback(
        Object.assign(new Error(`no checked IPv${family} address`), { code: "ENOTFOUND" }),
        "",
        0,
      );
    } else if (lookupOptions.all) {
      (callback as unknown as (error: null, all: { address: string; family: number }[]) => void)(
        null,
        candidates,
      );
    } else {
      callback(null, candidates[0].address, candidates[0].family);
    }
  };
}
