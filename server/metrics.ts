import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The process's Prometheus metrics (prom-client), served at /metrics. */
export interface Metrics {
  registry: Registry;
  connections: Gauge;
  documents: Gauge;
  updates: Counter;
  updatesPerSecond: Gauge;
  storeAppendSeconds: Histogram;
  storeLoadSeconds: Histogram;
  httpRequests: Counter<"method" | "route" | "status">;
  chatMessages: Counter<"platform" | "outcome">;
  /** Records one applied update for the updates/s window. */
  countUpdate(): void;
}

const WINDOW_SECONDS = 10;

export function createMetrics(sources: {
  connections: () => number;
  documents: () => number;
  /** Every series carries `process="<name>"`, so one scrape config covers several processes. */
  processName?: string;
}): Metrics {
  const registry = new Registry();
  if (sources.processName) registry.setDefaultLabels({ process: sources.processName });
  collectDefaultMetrics({ register: registry, prefix: "hotdoc_process_" });
  const stamps: number[] = [];
  const prune = (now: number) => {
    while (stamps.length > 0 && stamps[0] < now - WINDOW_SECONDS * 1000) stamps.shift();
  };
  const metrics: Metrics = {
    registry,
    connections: new Gauge({
      name: "hotdoc_connections",
      help: "Open collaboration connections (websockets plus server-side direct connections)",
      registers: [registry],
      collect() {
        this.set(sources.connections());
      },
    }),
    documents: new Gauge({
      name: "hotdoc_documents_open",
      help: "Incident documents loaded in memory",
      registers: [registry],
      collect() {
        this.set(sources.documents());
      },
    }),
    updates: new Counter({
      name: "hotdoc_updates_total",
      help: "Document updates accepted",
      registers: [registry],
    }),
    updatesPerSecond: new Gauge({
      name: "hotdoc_updates_per_second",
      help: `Document updates accepted per second, averaged over the last ${WINDOW_SECONDS} s`,
      registers: [registry],
      collect() {
        prune(Date.now());
        this.set(stamps.length / WINDOW_SECONDS);
      },
    }),
    storeAppendSeconds: new Histogram({
      name: "hotdoc_store_append_seconds",
      help: "Time to append one update durably",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    storeLoadSeconds: new Histogram({
      name: "hotdoc_store_load_seconds",
      help: "Time to load one document from the store",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: "hotdoc_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    chatMessages: new Counter({
      name: "hotdoc_chat_events_total",
      help: "Chat events received, by platform and outcome (mirrored, duplicate, unlinked, edited…)",
      labelNames: ["platform", "outcome"] as const,
      registers: [registry],
    }),
    countUpdate() {
      const now = Date.now();
      stamps.push(now);
      if (stamps.length > 100_000) prune(now);
      this.updates.inc();
    },
  };
  return metrics;
}
