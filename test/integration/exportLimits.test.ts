import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry } from "#shared/doc/index.ts";
import { connectProvider, whenAcknowledged, whenSynced, withTimeout } from "../helpers/clients.ts";
import { startTestServer, TEST_TOKEN, type TestServer } from "../helpers/testServer.ts";

// Big enough that an answer cannot fit in the socket buffers of both ends (a few MB on
// loopback), so a response whose body is not read stays in progress on the server.
const ENTRIES = 6000;
const ENTRY_TEXT = "x".repeat(3000);

/** Sends a GET and resolves once the headers are in, leaving the body unread until `finish` is called. */
async function started(
  url: string,
  token: string,
): Promise<{ status: number; retryAfter: string | null; finish: () => Promise<number> }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    finish: async () => (await response.arrayBuffer()).byteLength,
  };
}

describe("expensive reads are bounded per incident and per token", () => {
  let server: TestServer;
  let big: string;
  let small: string;
  let viewerA: string;
  let viewerB: string;
  let viewerSmall: string;
  let at: string;

  beforeAll(async () => {
    server = await startTestServer({
      env: { MAX_EXPORTS_PER_INCIDENT: "2", MAX_EXPORTS_PER_TOKEN: "2" },
    });
    big = (
      await server.api("POST", "/api/incidents", { summary: "A very long incident", severity: 1 })
    ).body.key;
    small = (await server.api("POST", "/api/incidents", { summary: "A short one", severity: 3 }))
      .body.key;
    const doc = new Y.Doc();
    const provider = connectProvider(server.wsUrl, big, TEST_TOKEN, doc);
    await whenSynced(provider);
    const t0 = Date.parse("2026-11-20T14:00:00Z");
    for (let done = 0; done < ENTRIES; done += 500) {
      doc.transact(() => {
        for (let i = done; i < done + 500; i++)
          appendTimelineEntry(doc, {
            author: `user${i % 10}`,
            source: "editor",
            kind: "note",
            text: `entry ${i} ${ENTRY_TEXT}`,
            at: new Date(t0 + i * 1000).toISOString(),
          });
      });
      await whenAcknowledged(provider, 60_000);
    }
    provider.destroy();
    doc.destroy();
    at = new Date().toISOString();
    viewerA = (
      await server.api("POST", `/api/incidents/${big}/links`, { role: "viewer", name: "A" })
    ).body.token;
    viewerB = (
      await server.api("POST", `/api/incidents/${big}/links`, { role: "viewer", name: "B" })
    ).body.token;
    viewerSmall = (
      await server.api("POST", `/api/incidents/${small}/links`, { role: "viewer", name: "S" })
    ).body.token;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("a third export or time-travel read of one incident, or for one token, answers 429 with Retry-After until one finishes", async () => {
    const exportBig = `${server.url}/api/incidents/${big}/export?format=html&at=${encodeURIComponent(at)}`;
    const stateBig = `${server.url}/api/incidents/${big}/state?at=${encodeURIComponent(at)}`;
    // Two reads of the big incident by the admin token, their answers left unread.
    const first = await withTimeout(started(exportBig, TEST_TOKEN), 30_000, "first export");
    const second = await withTimeout(started(stateBig, TEST_TOKEN), 30_000, "time-travel read");
    expect([first.status, second.status]).toEqual([200, 200]);

    // The incident is full: another token is refused on it.
    const incidentFull = await server.api(
      "GET",
      `/api/incidents/${big}/export?format=markdown`,
      undefined,
      viewerA,
    );
    expect(incidentFull.status).toBe(429);
    expect(incidentFull.body.error).toMatchObject({ code: "rate_limited" });
    expect(incidentFull.body.error.message).toContain(big);
    const refusedState = await started(stateBig, viewerB);
    expect([refusedState.status, refusedState.retryAfter]).toEqual([429, "2"]);

    // The admin token is full: refused on another incident; another token there is not.
    const tokenFull = await started(
      `${server.url}/api/incidents/${small}/export?format=json`,
      TEST_TOKEN,
    );
    expect([tokenFull.status, tokenFull.retryAfter]).toEqual([429, "2"]);
    expect(
      (
        await server.api(
          "GET",
          `/api/incidents/${small}/export?format=json`,
          undefined,
          viewerSmall,
        )
      ).status,
    ).toBe(200);

    // Once an answer has been read to the end its slot is free again.
    expect(await withTimeout(first.finish(), 60_000, "first body")).toBeGreaterThan(
      ENTRIES * ENTRY_TEXT.length,
    );
    const afterwards = await started(
      `${server.url}/api/incidents/${small}/export?format=json`,
      TEST_TOKEN,
    );
    expect(afterwards.status).toBe(200);
    await afterwards.finish();
    const viewerNow = await started(exportBig.replace("format=html", "format=markdown"), viewerA);
    expect(viewerNow.status).toBe(200);
    await Promise.all([second.finish(), viewerNow.finish()]);
  }, 120_000);

  it("a client that goes away mid-answer gives its slot back", async () => {
    const url = `${server.url}/api/incidents/${big}/export?format=markdown`;
    // The server notices a closed socket on a later turn of its loop: retry until it has, within a bound.
    const untilAdmitted = async (signal?: AbortSignal) => {
      const deadline = Date.now() + 10_000;
      for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${viewerA}` },
          signal,
        });
        if (response.status === 200) return response;
        await response.arrayBuffer();
        await new Promise((resolve) => setImmediate(resolve));
      }
      throw new Error("never admitted: slots of abandoned answers were not given back");
    };
    // Three abandoned answers with a limit of two: the third is only admitted if slots come back.
    for (let round = 0; round < 3; round++) {
      const controller = new AbortController();
      await untilAdmitted(controller.signal);
      controller.abort();
    }
    const last = await untilAdmitted();
    expect((await last.arrayBuffer()).byteLength).toBeGreaterThan(ENTRIES * ENTRY_TEXT.length);
  }, 60_000);
});
