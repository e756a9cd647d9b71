import { Hono } from "hono";
import type { Metrics } from "../metrics.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";

/** /healthz (liveness with the store's status) and /metrics (Prometheus text). */
export function healthRoutes(options: {
  store: DocumentStore;
  metrics: Metrics;
  counts: () => { connections: number; documents: number };
  startedAt: number;
}): Hono {
  const app = new Hono();

  app.get("/healthz", async (c) => {
    const started = performance.now();
    let store: { kind: string; ok: boolean; latencyMs: number; error?: string };
    try {
      await options.store.ping();
      store = { kind: options.store.kind, ok: true, latencyMs: round(performance.now() - started) };
    } catch (error) {
      store = {
        kind: options.store.kind,
        ok: false,
        latencyMs: round(performance.now() - started),
        error: String(error),
      };
    }
    const body = {
      status: store.ok ? "ok" : "degraded",
      store,
      ...options.counts(),
      uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
    };
    return c.json(body, store.ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    const text = await options.metrics.registry.metrics();
    return c.body(text, 200, { "content-type": options.metrics.registry.contentType });
  });

  return app;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
