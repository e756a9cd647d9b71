import { Hono } from "hono";
import type { Metrics } from "../metrics.ts";
import type { Stores } from "../storage/stores.ts";

/**
 * /healthz (liveness with the store's and Redis' status: 503 only when the store is
 * unreachable) and /metrics (Prometheus text).
 */
export function healthRoutes(options: {
  stores: Pick<Stores, "kind" | "ping">;
  metrics: Metrics;
  counts: () => { connections: number; documents: number };
  startedAt: number;
  processName: string;
  /** Fan-out to the other processes (Redis), when there are others. */
  fanout: { readonly up: boolean } | null;
  /** Which paging and publishing providers are configured (never their secrets). */
  paging: { providers(): { paging: string[]; publishing: string[] } };
}): Hono {
  const app = new Hono();

  app.get("/healthz", async (c) => {
    const started = performance.now();
    let store: { kind: string; ok: boolean; latencyMs: number; error?: string };
    try {
      // A store that does not answer within 2 s is as good as down for a health check.
      await Promise.race([
        options.stores.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref(),
        ),
      ]);
      store = {
        kind: options.stores.kind,
        ok: true,
        latencyMs: round(performance.now() - started),
      };
    } catch (error) {
      store = {
        kind: options.stores.kind,
        ok: false,
        latencyMs: round(performance.now() - started),
        error: String(error),
      };
    }
    // Without Redis this process still serves its own clients, from the shared store:
    // degraded (edits reach the other processes' clients once it is back), not down.
    const redis = options.fanout ? { ok: options.fanout.up } : undefined;
    const body = {
      status: store.ok && redis?.ok !== false ? "ok" : "degraded",
      process: options.processName,
      store,
      ...(redis ? { redis } : {}),
      providers: options.paging.providers(),
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
