import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { HtmlRenderer, Parser } from "commonmark";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  escapeCardText,
  teamsWorkflowBody,
} from "../../server/bridge/platforms/teams/adaptiveCard.ts";
import {
  OutboundTargets,
  parseAllowedTargets,
  type ResolveAll,
  TargetRefusedError,
} from "../../server/net/outboundTarget.ts";
import {
  isRetryableStatus,
  RetryableError,
  retryAfterMs,
  withRetries,
} from "../../server/net/retrying.ts";
import { type FakeTeamsWorkflow, startFakeTeamsWorkflow } from "../helpers/fakeTeamsWorkflow.ts";

/** A resolver answering from a table, so no test asks real DNS. */
function resolver(table: Record<string, string[]>): ResolveAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

/** Text as commonmark.js writes it into HTML. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The refusal's message; fails the test when the URL is not refused. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TargetRefusedError);
    return (error as Error).message;
  }
  throw new Error("the target was not refused");
}

interface Seen {
  method: string;
  url: string;
  host?: string;
  contentType?: string;
  body: string;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Sends one GET through an agent and returns status and body. */
function getThrough(agent: http.Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: 5000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
}

describe("outbound policy against real local servers", () => {
  const seen: Seen[] = [];
  const elsewhereSeen: string[] = [];
  let target: http.Server;
  let elsewhere: http.Server;
  let port: number;
  let elsewherePort: number;
  let teams: FakeTeamsWorkflow;
  const agents: http.Agent[] = [];

  beforeAll(async () => {
    elsewhere = http.createServer((request, response) => {
      elsewhereSeen.push(request.url ?? "");
      response.end("internal");
    });
    elsewherePort = await listen(elsewhere);
    target = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        seen.push({
          method: request.method ?? "",
          url: request.url ?? "",
          host: request.headers.host,
          contentType: request.headers["content-type"],
          body: Buffer.concat(chunks).toString("utf8"),
        });
        if (request.url === "/moved") {
          response.writeHead(302, { location: `http://127.0.0.1:${elsewherePort}/internal/admin` });
          response.end();
        } else {
          response.writeHead(201, { "content-type": "application/json", "x-request-id": "r-1" });
          response.end(JSON.stringify({ ok: true, method: request.method, url: request.url }));
        }
      });
    });
    port = await listen(target);
    teams = await startFakeTeamsWorkflow();
  });

  afterAll(async () => {
    for (const agent of agents) agent.destroy();
    await close(target);
    await close(elsewhere);
    await teams.close();
  });

  describe("with no targets allowed", () => {
    const strict = new OutboundTargets([], {
      resolve: resolver({ "example.com": ["93.184.216.34"], "hooks.example": ["93.184.216.34"] }),
    });

    it("refuses loopback, private and link-local addresses, and plain http to a public host", async () => {
      expect(await refusal(strict.check(`http://127.0.0.1:${port}/`))).toMatch(/loopback/);
      expect(await refusal(strict.check("https://10.0.0.1/hook"))).toMatch(/private/);
      expect(await refusal(strict.check("http://169.254.169.254/latest/meta-data/iam/"))).toMatch(
        /linkLocal/,
      );
      expect(await refusal(strict.check("http://example.com/services/T0/B0/x"))).toMatch(
        /only https URLs are allowed/,
      );
      // The same public host over https passes.
      await expect(strict.check("https://example.com/services/T0/B0/x")).resolves.toMatchObject({
        addresses: [{ address: "93.184.216.34", family: 4 }],
      });
    });

    it("refuses before connecting: request(), postJson() and agentFor() reach nothing", async () => {
      const before = seen.length;
      expect(
        await refusal(
          strict.request(`http://127.0.0.1:${port}/x`, { method: "GET", timeoutMs: 5000 }),
        ),
      ).toMatch(/loopback/);
      expect(
        await refusal(
          strict.postJson(`http://127.0.0.1:${port}/x`, { text: "hi" }, { timeoutMs: 5000 }),
        ),
      ).toMatch(/loopback/);
      expect(await refusal(strict.agentFor(`http://127.0.0.1:${port}/`))).toMatch(/loopback/);
      expect(await refusal(strict.agentFor(`http://hooks.example/`))).toMatch(/only https/);
      expect(seen.length).toBe(before);
    });
  });

  describe("with ALLOW_PRIVATE_WEBHOOKS (allowPrivate)", () => {
    const open = new OutboundTargets([], { allowPrivate: true });

    it("reaches the loopback server with request(): status, headers and body come back", async () => {
      const result = await open.request(`http://127.0.0.1:${port}/api/chat.postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", authorization: "Bearer t" },
        body: JSON.stringify({ channel: "C1", text: "hi" }),
        timeoutMs: 5000,
      });
      expect(result.status).toBe(201);
      expect(result.headers["x-request-id"]).toBe("r-1");
      expect(JSON.parse(result.body)).toEqual({
        ok: true,
        method: "POST",
        url: "/api/chat.postMessage",
      });
      expect(seen.at(-1)).toMatchObject({
        method: "POST",
        contentType: "application/json; charset=utf-8",
        body: '{"channel":"C1","text":"hi"}',
      });

      const get = await open.request(`http://127.0.0.1:${port}/users.info?user=U1`, {
        method: "GET",
        timeoutMs: 5000,
      });
      expect(get.status).toBe(201);
      expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/users.info?user=U1", body: "" });
    });

    it("posts JSON with postJson()", async () => {
      const result = await open.postJson(
        `http://127.0.0.1:${port}/hooks/abc`,
        { text: "[hotdoc] HOT-1: declared" },
        { timeoutMs: 5000 },
      );
      expect(result).toEqual({ status: 201, location: undefined });
      expect(seen.at(-1)).toMatchObject({
        method: "POST",
        url: "/hooks/abc",
        contentType: "application/json",
        body: '{"text":"[hotdoc] HOT-1: declared"}',
      });
    });

    it("returns an http.Agent for a plain-http base URL, and requests through it work", async () => {
      const agent = await open.agentFor(`http://127.0.0.1:${port}/api/`);
      agents.push(agent);
      expect(agent).toBeInstanceOf(http.Agent);
      expect(agent).not.toBeInstanceOf(https.Agent);
      const answer = await getThrough(agent, `http://127.0.0.1:${port}/api/auth.test`);
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ url: "/api/auth.test" });
    });
  });

  describe("with WEBHOOK_ALLOWED_TARGETS=127.0.0.1", () => {
    const allowed = new OutboundTargets(parseAllowedTargets("127.0.0.1"), {
      resolve: resolver({
        "hooks.test": ["127.0.0.1"],
        "metadata.test": ["169.254.169.254"],
      }),
    });

    it("allows plain http to the allowed address, and only to it", async () => {
      const result = await allowed.postJson(
        `http://127.0.0.1:${port}/hooks/allowed`,
        { text: "hi" },
        { timeoutMs: 5000 },
      );
      expect(result.status).toBe(201);
      expect(seen.at(-1)?.url).toBe("/hooks/allowed");
      expect(await refusal(allowed.check(`http://127.0.0.2:${port}/`))).toMatch(/loopback/);
      expect(await refusal(allowed.check("http://metadata.test/"))).toMatch(/linkLocal/);
    });

    it("returns a 302 as the answer and never follows it", async () => {
      const posted = await allowed.postJson(
        `http://127.0.0.1:${port}/moved`,
        { text: "hi" },
        { timeoutMs: 5000 },
      );
      expect(posted).toEqual({
        status: 302,
        location: `http://127.0.0.1:${elsewherePort}/internal/admin`,
      });
      const requested = await allowed.request(`http://127.0.0.1:${port}/moved`, {
        method: "GET",
        timeoutMs: 5000,
      });
      expect(requested.status).toBe(302);
      expect(requested.headers.location).toBe(`http://127.0.0.1:${elsewherePort}/internal/admin`);
      expect(elsewhereSeen).toEqual([]);
    });

    it("an agent resolves every host it connects to through the policy", async () => {
      const agent = await allowed.agentFor(`http://hooks.test:${port}/api/`);
      agents.push(agent);
      const answer = await getThrough(agent, `http://hooks.test:${port}/api/conversations.info`);
      expect(answer.status).toBe(201);
      expect(seen.at(-1)).toMatchObject({
        url: "/api/conversations.info",
        host: `hooks.test:${port}`,
      });
      await expect(getThrough(agent, `http://metadata.test:${port}/`)).rejects.toMatchObject({
        code: "ENOTALLOWED",
      });
      // An address in the URL skips DNS, so no lookup hook would see it: it is checked all the same.
      await expect(getThrough(agent, `http://127.0.0.2:${port}/`)).rejects.toMatchObject({
        code: "ENOTALLOWED",
        message: expect.stringMatching(/loopback/),
      });
    });

    it("an agent checks the port of every connection, not only the base URL's", async () => {
      const onePort = new OutboundTargets(parseAllowedTargets(`ports.test:${port}`), {
        resolve: resolver({ "ports.test": ["127.0.0.1"] }),
      });
      const agent = await onePort.agentFor(`http://ports.test:${port}/`);
      agents.push(agent);
      expect((await getThrough(agent, `http://ports.test:${port}/ok`)).status).toBe(201);
      await expect(
        getThrough(agent, `http://ports.test:${elsewherePort}/internal/admin`),
      ).rejects.toMatchObject({ code: "ENOTALLOWED" });
      expect(elsewhereSeen).toEqual([]);
    });
  });

  describe("the Teams Workflows card, posted to a fake Workflows webhook", () => {
    const open = new OutboundTargets([], { allowPrivate: true });

    it("is accepted (202) and arrives as built, user Markdown escaped", async () => {
      const text = [
        "[hotdoc] HOT-7: Severity: sev1",
        "HOT-7: Observation by ana: see [status page](https://evil.example/login) **now**",
      ].join("\n");
      const body = teamsWorkflowBody(text);
      const result = await open.postJson(teams.url, body, { timeoutMs: 5000 });
      expect(result.status).toBe(202);
      expect(teams.received.at(-1)).toEqual(body);
      const card = (teams.received.at(-1) as ReturnType<typeof teamsWorkflowBody>).attachments[0]
        .content;
      expect(card.body.map((block) => block.text)).toEqual([
        "\\[hotdoc] HOT-7: Severity: sev1",
        "HOT-7: Observation by ana: see [status page]\\(https://evil.example/login) \\*\\*now\\*\\*",
      ]);
    });

    it("escapes every markup a TextBlock would render, and leaves plain text alone", () => {
      const cases: [string, string][] = [
        ["**bold** and *italic*", "\\*\\*bold\\*\\* and \\*italic\\*"],
        ["_italic_ but snake_case_name stays", "\\_italic\\_ but snake_case_name stays"],
        ["see [status](https://evil.example/login)", "see [status]\\(https://evil.example/login)"],
        ["[status](https://evil.example)", "\\[status]\\(https://evil.example)"],
        ["![pixel](https://evil.example/t.gif)", "![pixel]\\(https://evil.example/t.gif)"],
        ["[ref]: https://evil.example", "\\[ref]: https://evil.example"],
        ["- item", "\\- item"],
        ["+ item", "\\+ item"],
        ["---", "\\---"],
        ["1. first", "1\\. first"],
        ["2) second", "2\\) second"],
        ["# Heading", "\\# Heading"],
        ["> quoted", "\\> quoted"],
        ["`rm -rf` and ~~struck~~", "\\`rm -rf\\` and \\~\\~struck\\~\\~"],
        [
          "<at>Ana Diaz</at> <https://evil.example>",
          "\\<at>Ana Diaz\\</at> \\<https://evil.example>",
        ],
        ["&amp; &#91;x&#93;", "\\&amp; \\&#91;x\\&#93;"],
        ["{{DATE(2017-02-13T20:46:30Z, Long)}}", "{\\{DATE(2017-02-13T20:46:30Z, Long)}}"],
        ["C:\\temp\\*", "C:\\\\temp\\\\\\*"],
        // Plain incident text is untouched.
        [
          "HOT-7: p99 < 200ms, AT&T ok, 1.5x load, -5% errors",
          "HOT-7: p99 < 200ms, AT&T ok, 1.5x load, -5% errors",
        ],
        [
          "#incident-room (see https://status.example.com/a_b)",
          "#incident-room (see https://status.example.com/a_b)",
        ],
      ];
      for (const [typed, sent] of cases) {
        expect(escapeCardText(typed), typed).toBe(sent);
        // A CommonMark renderer shows exactly what was typed: one paragraph of plain text.
        const html = new HtmlRenderer().render(new Parser().parse(sent));
        expect(html, typed).toBe(`<p>${escapeHtml(typed)}</p>\n`);
      }
    });

    it("keeps a long batch under Teams' 28 KB limit and says how many lines it left out", async () => {
      const lines = Array.from({ length: 600 }, (_, i) => `HOT-7: line ${i} ${"x".repeat(60)}`);
      const body = teamsWorkflowBody(["[hotdoc] HOT-7: 600 lines", ...lines].join("\n"));
      const blocks = body.attachments[0].content.body;
      expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(28 * 1024);
      expect(blocks[0]).toEqual({
        type: "TextBlock",
        text: "\\[hotdoc] HOT-7: 600 lines",
        wrap: true,
        weight: "Bolder",
      });
      expect(blocks.at(-1)?.text).toBe(`… ${601 - (blocks.length - 1)} more lines not shown`);
      expect((await open.postJson(teams.url, body, { timeoutMs: 5000 })).status).toBe(202);

      const huge = teamsWorkflowBody(`[hotdoc] ${"*".repeat(100_000)}`);
      expect(Buffer.byteLength(JSON.stringify(huge))).toBeLessThanOrEqual(28 * 1024);
      expect((await open.postJson(teams.url, huge, { timeoutMs: 5000 })).status).toBe(202);
    });

    it("refuses a bare {text} and a wrong signature, as Workflows do", async () => {
      expect((await open.postJson(teams.url, { text: "hi" }, { timeoutMs: 5000 })).status).toBe(
        400,
      );
      const unsigned = teams.url.replace(/sig=[^&]+/, "sig=forged");
      expect(
        (await open.postJson(unsigned, teamsWorkflowBody("[hotdoc] x"), { timeoutMs: 5000 }))
          .status,
      ).toBe(401);
    });

    it("a 429 with Retry-After is retried after the wait it asks for", async () => {
      teams.failNext(429, 2);
      const waits: number[] = [];
      const before = teams.received.length;
      const body = JSON.stringify(teamsWorkflowBody("[hotdoc] HOT-7: Status: resolved"));
      const status = await withRetries(
        async () => {
          const answer = await open.request(teams.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            timeoutMs: 5000,
          });
          if (isRetryableStatus(answer.status)) {
            const after = answer.headers["retry-after"];
            throw new RetryableError(
              `Teams answered ${answer.status}`,
              retryAfterMs(typeof after === "string" ? after : undefined),
            );
          }
          return answer.status;
        },
        { attempts: 3, baseMs: 10, maxWaitMs: 5_000 },
        async (ms) => void waits.push(ms),
      );
      expect(status).toBe(202);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(2_000);
      expect(teams.received.length).toBe(before + 1);
      expect(teams.requests.slice(-2).map((r) => r.status)).toEqual([429, 202]);
    });
  });
});
