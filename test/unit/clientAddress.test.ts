import { describe, expect, it } from "vitest";
import { clientAddress } from "../../server/access/RateLimits.ts";
import { loadConfig } from "../../server/config.ts";

const request = (remoteAddress: string, forwarded?: string) => ({
  socket: { remoteAddress } as never,
  headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
});

describe("the address a budget is kept for", () => {
  it("is the peer, whatever X-Forwarded-For a client sends, unless a proxy is trusted (then its last hop)", () => {
    expect(clientAddress(request("203.0.113.7", "198.51.100.1"), false)).toBe("203.0.113.7");
    expect(clientAddress(request("10.0.0.2", "198.51.100.1, 203.0.113.9"), true)).toBe(
      "203.0.113.9",
    );
    expect(clientAddress(request("10.0.0.2"), true)).toBe("10.0.0.2");
  });

  it("counts an IPv4-mapped address as its IPv4 address and any other IPv6 address as its /64", () => {
    expect(clientAddress(request("::ffff:203.0.113.7"), false)).toBe("203.0.113.7");
    const a = clientAddress(request("2001:db8:1:2::1"), false);
    const b = clientAddress(request("2001:db8:1:2:ffff:ffff:ffff:fffe"), false);
    const other = clientAddress(request("2001:db8:1:3::1"), false);
    expect(a).toBe(b);
    expect(a).not.toBe(other);
  });

  it("defaults the export slots so one token can never take every slot of an incident", () => {
    const config = loadConfig({});
    expect(config.maxExports.perToken).toBeLessThan(config.maxExports.perIncident);
  });
});
