import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readIncident } from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenSynced } from "../helpers/clients.ts";
import {
  confluenceXml,
  elements,
  expectNoLiveHostileUrl,
  isSafeDestination,
  markdownNodes,
} from "../helpers/exportInspection.ts";
import { HOSTILE_URLS, SAFE_URL, writeHostileNotes } from "../helpers/hostileDoc.ts";
import {
  startTestServer,
  TEST_TOKEN,
  type TestServer,
  tempDataDir,
} from "../helpers/testServer.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Runs `npm run export`'s entry point without blocking this process (which hosts the server it may call). */
function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "server", "cli", "export.ts"), ...args],
      { encoding: "utf8" },
      (error, stdout, stderr) => {
        resolve({
          status: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Resolves once the wall clock has moved past `instant`, so two writes get distinct acceptance times. */
async function clockPast(instant: number): Promise<void> {
  while (Date.now() <= instant) await new Promise((resolve) => setImmediate(resolve));
}

describe("export and time travel", () => {
  let server: TestServer;
  let key: string;
  let between: string;
  let beforeCreation: string;

  beforeAll(async () => {
    server = await startTestServer({ dataDir: tempDataDir() });
    beforeCreation = new Date(Date.now() - 60_000).toISOString();
    key = (await server.api("POST", "/api/incidents", { summary: "Time travel", severity: 3 })).body
      .key;
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "first edit: cache hit rate dropped",
    });
    const mark = Date.now();
    await clockPast(mark);
    between = new Date(mark).toISOString();
    await clockPast(mark + 1);
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "second edit: cache cluster restarted",
    });
    await server.api("PATCH", `/api/incidents/${key}`, { severity: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("exports every format over HTTP with the right content type, as a sandboxed attachment", async () => {
    for (const [format, type, extension] of [
      ["markdown", "text/markdown", "md"],
      ["html", "text/html", "html"],
      ["json", "application/json", "json"],
      ["confluence", "application/xhtml+xml", "xhtml"],
    ] as const) {
      const response = await fetch(`${server.url}/api/incidents/${key}/export?format=${format}`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(response.status, format).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="${key}-postmortem.${extension}"`,
      );
      expect(response.headers.get("content-security-policy")).toBe(
        "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      );
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toContain("second edit: cache cluster restarted");
    }
  });

  it("a responder's javascript: and data: links written over the websocket are never live links in any export", async () => {
    const responder = (
      await server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Mallory",
      })
    ).body.token;
    const doc = new Y.Doc();
    const provider = connectProvider(server.wsUrl, key, responder, doc);
    try {
      await whenSynced(provider);
      writeHostileNotes(doc);
      await whenAcknowledged(provider);
    } finally {
      provider.destroy();
    }
    const get = async (format: string) => {
      const response = await fetch(`${server.url}/api/incidents/${key}/export?format=${format}`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(response.status, format).toBe(200);
      return response.text();
    };
    const html = await get("html");
    expectNoLiveHostileUrl(html, "html");
    expect(html).toContain(`click me ${HOSTILE_URLS.length - 1}`);
    expect(elements(html).some((e) => e.name === "a" && e.attributes.href === SAFE_URL)).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;`,
    );
    expectNoLiveHostileUrl(confluenceXml(await get("confluence")), "confluence");
    const links = markdownNodes(await get("markdown")).filter(
      (n) => n.type === "link" || n.type === "image",
    );
    expect(links.map((n) => n.destination)).toContain(SAFE_URL);
    for (const link of links)
      expect(isSafeDestination(link.destination ?? ""), link.destination ?? "").toBe(true);
  });

  it("rebuilds the document as it stood at an instant between two edits", async () => {
    const response = await fetch(
      `${server.url}/api/incidents/${key}/export?format=json&at=${encodeURIComponent(between)}`,
      { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
    );
    const pm = await response.json();
    const texts = pm.timeline.map((e: { text: string }) => e.text);
    expect(texts).toContain("first edit: cache hit rate dropped");
    expect(texts).not.toContain("second edit: cache cluster restarted");
    expect(pm.severity.level).toBe(3);
    expect(pm.asOf).toBe(between);

    const state = await fetch(
      `${server.url}/api/incidents/${key}/state?at=${encodeURIComponent(between)}`,
      { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
    );
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(await state.arrayBuffer()));
    expect(readIncident(doc).timeline.map((e) => e.text)).not.toContain(
      "second edit: cache cluster restarted",
    );
    const history = (await server.api("GET", `/api/incidents/${key}/history`)).body;
    expect(Date.parse(history.start)).toBeLessThanOrEqual(Date.parse(between));
  });

  it("refuses a bad format or instant, an instant before the incident existed, and a caller without access", async () => {
    expect(
      (await server.api("GET", `/api/incidents/${key}/export?format=pdf`)).body.error,
    ).toMatchObject({ code: "validation_failed", field: "format" });
    expect(
      (await server.api("GET", `/api/incidents/${key}/export?at=yesterday`)).body.error,
    ).toMatchObject({ code: "validation_failed", field: "at" });
    expect(
      (
        await server.api(
          "GET",
          `/api/incidents/${key}/export?at=${encodeURIComponent(beforeCreation)}`,
        )
      ).status,
    ).toBe(404);
    expect((await server.api("GET", `/api/incidents/${key}/export`, undefined, null)).status).toBe(
      401,
    );
    const viewer = await server.api("POST", `/api/incidents/${key}/links`, { role: "viewer" });
    expect(
      (
        await server.api(
          "GET",
          `/api/incidents/${key}/export?format=markdown`,
          undefined,
          viewer.body.token,
        )
      ).status,
    ).toBe(200);
  });

  it("exports from the command line, against the data directory and against the running server", async () => {
    const out = path.join(tempDataDir(), "pm.md");
    const fromData = await cli([
      key,
      "--format",
      "markdown",
      "--data-dir",
      server.dataDir,
      "--out",
      out,
    ]);
    expect(fromData.status, fromData.stderr).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain(`# ${key} - Time travel`);
    const fromServer = await cli([
      key,
      "--format",
      "json",
      "--at",
      between,
      "--server",
      server.url,
      "--token",
      TEST_TOKEN,
    ]);
    expect(fromServer.status, fromServer.stderr).toBe(0);
    expect(
      JSON.parse(fromServer.stdout).timeline.map((e: { text: string }) => e.text),
    ).not.toContain("second edit: cache cluster restarted");
    const bad = await cli(["HOT-999", "--data-dir", server.dataDir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("there is no incident HOT-999");
  });
});
