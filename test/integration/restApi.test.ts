import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

describe("REST API", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  /** The stored document's state vector and content, to prove a refused write changed nothing. */
  async function snapshot(key: string): Promise<{ vector: Uint8Array; json: unknown }> {
    const state = await server.hotdoc.stores.log.loadState(key);
    const doc = new Y.Doc();
    if (state) Y.applyUpdate(doc, state);
    const vector = Y.encodeStateVector(doc);
    doc.destroy();
    return { vector, json: (await server.api("GET", `/api/incidents/${key}`)).body };
  }

  it("declares incidents with sequential keys, allocated atomically", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server.api("POST", "/api/incidents", { summary: `Incident ${i}`, severity: 3 }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const keys = results.map((r) => r.body.key as string);
    expect(new Set(keys).size).toBe(12);
    expect(keys.every((k) => /^HOT-\d+$/.test(k))).toBe(true);
    expect(results[0].body.url).toBe(`${server.url}/${keys[0]}`);
  });

  it("returns the whole document as schema-shaped JSON", async () => {
    const created = await server.api("POST", "/api/incidents", {
      summary: "Payments failing",
      severity: 1,
      description: "All card payments fail",
      service: "payments",
      products: ["Shop"],
      startedAt: "2026-11-20T10:00:00Z",
      detectedAt: "2026-11-20T10:07:30Z",
    });
    expect(created.status).toBe(201);
    const { body } = await server.api("GET", `/api/incidents/${created.body.key}`);
    expect(body).toMatchObject({
      key: created.body.key,
      summary: "Payments failing",
      description: "All card payments fail",
      severity: 1,
      status: "new",
      service: "payments",
      products: ["Shop"],
      times: {
        startedAt: "2026-11-20T10:00:00.000Z",
        detectedAt: "2026-11-20T10:07:30.000Z",
        endedAt: null,
        ttdMs: 450_000,
        ttrMs: null,
      },
      incidentManager: null,
      schemaVersion: 2,
    });
    expect(body.timeline).toHaveLength(1);
    expect(body.timeline[0]).toMatchObject({ kind: "status", source: "api", pinned: true });
  });

  it("lists incidents in progress first, most severe first, with status and IM", async () => {
    const minor = (await server.api("POST", "/api/incidents", { summary: "Minor", severity: 3 }))
      .body.key;
    const critical = (
      await server.api("POST", "/api/incidents", { summary: "Critical", severity: 1 })
    ).body.key;
    const done = (await server.api("POST", "/api/incidents", { summary: "Done", severity: 1 })).body
      .key;
    expect(
      (await server.api("PATCH", `/api/incidents/${done}`, { status: "resolved" })).status,
    ).toBe(200);
    const { status, body } = await server.api("GET", "/api/incidents");
    expect(status).toBe(200);
    const keys = body.incidents.map((i: { key: string }) => i.key);
    expect(keys.indexOf(critical)).toBeLessThan(keys.indexOf(minor));
    expect(keys.indexOf(minor)).toBeLessThan(keys.indexOf(done));
    const resolved = body.incidents.find((i: { key: string }) => i.key === done);
    expect(resolved).toMatchObject({ status: "resolved", active: false, incidentManager: null });
  });

  it("patches incident fields and records a severity change on the timeline", async () => {
    const key = (
      await server.api("POST", "/api/incidents", { summary: "Search slow", severity: 3 })
    ).body.key;
    const patched = await server.api("PATCH", `/api/incidents/${key}`, {
      severity: 2,
      supportCases: "3",
      endedAt: "2026-11-20T12:00:00+01:00",
    });
    expect(patched.status).toBe(200);
    expect(patched.body.severity).toBe(2);
    expect(patched.body.assessment.supportCases).toBe("3");
    expect(patched.body.times.endedAt).toBe("2026-11-20T11:00:00.000Z");
    const severityEntry = patched.body.timeline.find(
      (e: { kind: string }) => e.kind === "severity",
    );
    expect(severityEntry.text).toBe("Severity changed from 3 (Minor) to 2 (Major)");
  });

  it("a schema-invalid write gets 400 naming the field and changes nothing", async () => {
    const key = (await server.api("POST", "/api/incidents", { summary: "Valid", severity: 2 })).body
      .key;
    const before = await snapshot(key);

    const cases: [string, string, unknown, string][] = [
      ["PATCH", `/api/incidents/${key}`, { severity: 7 }, "severity"],
      ["PATCH", `/api/incidents/${key}`, { summary: "" }, "summary"],
      ["PATCH", `/api/incidents/${key}`, { summary: "ok", startedAt: "yesterday" }, "startedAt"],
      ["PATCH", `/api/incidents/${key}`, { summary: "ok", colour: "red" }, ""],
      ["PATCH", `/api/incidents/${key}`, { summary: "changed", status: "closed" }, "status"],
      ["POST", `/api/incidents/${key}/timeline`, { text: "" }, "text"],
      ["POST", `/api/incidents/${key}/timeline`, { text: "x", kind: "gossip" }, "kind"],
      ["POST", "/api/incidents", { summary: "no severity" }, "severity"],
    ];
    for (const [method, route, body, field] of cases) {
      const response = await server.api(method, route, body);
      expect([400, 409], `${method} ${route} ${JSON.stringify(body)}`).toContain(response.status);
      expect(response.body.error.code).toMatch(/validation_failed|invalid_transition/);
      if (field) expect(response.body.error.field).toBe(field);
      if (field) expect(response.body.error.message).toContain(field);
    }
    const malformed = await server.api("PATCH", `/api/incidents/${key}`, "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("invalid_json");

    const after = await snapshot(key);
    expect(after.vector).toEqual(before.vector);
    expect(after.json).toEqual(before.json);
  });

  it("refuses a body over 1 MiB even when it declares no length (chunked)", async () => {
    const key = (await server.api("POST", "/api/incidents", { summary: "Chunked", severity: 3 }))
      .body.key;
    const chunk = new TextEncoder().encode(`{"summary":"${"x".repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 24) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${server.url}/api/incidents/${key}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe("payload_too_large");
  });

  it("an unknown incident gets 404 on every route", async () => {
    for (const [method, route, body] of [
      ["GET", "/api/incidents/HOT-424242", undefined],
      ["PATCH", "/api/incidents/HOT-424242", { summary: "x" }],
      ["POST", "/api/incidents/HOT-424242/timeline", { text: "x" }],
      ["GET", "/api/incidents/not-a-key", undefined],
    ] as const) {
      const response = await server.api(method, route, body);
      expect(response.status, `${method} ${route}`).toBe(404);
      expect(response.body.error.code).toBe("incident_not_found");
    }
    expect(await server.hotdoc.stores.log.loadState("HOT-424242")).toBeNull();
  });

  it("every API route needs the bearer token", async () => {
    expect((await server.api("GET", "/api/incidents", undefined, null)).status).toBe(401);
    const wrong = await server.api(
      "POST",
      "/api/incidents",
      { summary: "x", severity: 1 },
      "wrong-token-wrong-token",
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("token_invalid");
  });

  it("adds timeline entries with their own time, ordered by it", async () => {
    const key = (await server.api("POST", "/api/incidents", { summary: "Order", severity: 3 })).body
      .key;
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "later",
      at: "2030-01-01T10:05:00Z",
    });
    await server.api("POST", `/api/incidents/${key}/timeline`, {
      text: "earlier",
      at: "2030-01-01T10:01:00Z",
      pinned: true,
    });
    const { body } = await server.api("GET", `/api/incidents/${key}`);
    const texts = body.timeline.map((e: { text: string }) => e.text);
    expect(texts.slice(-2)).toEqual(["earlier", "later"]);
    expect(body.timeline.at(-2)).toMatchObject({ pinned: true, author: "Operator", source: "api" });
  });

  it("serves /healthz with the store status and /metrics as Prometheus text", async () => {
    const health = await server.api("GET", "/healthz", undefined, null);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", store: { kind: "sqlite", ok: true } });
    const metrics = await fetch(`${server.url}/metrics`);
    const text = await metrics.text();
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    for (const name of [
      "hotdoc_connections",
      "hotdoc_documents_open",
      "hotdoc_updates_total",
      "hotdoc_updates_per_second",
      "hotdoc_store_append_seconds_bucket",
    ]) {
      expect(text).toContain(name);
    }
    const updates = Number(/^hotdoc_updates_total\{process="[^"]+"\} (\d+)/m.exec(text)?.[1]);
    expect(updates).toBeGreaterThan(0);
  });
});
