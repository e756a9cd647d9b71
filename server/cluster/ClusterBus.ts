import pg from "pg";
import { z } from "zod";
import type { Logger } from "../logger.ts";

/** What one process tells every process (itself included) that shares its store. */
const ClusterEventSchema = z.discriminatedUnion("type", [
  /** Links revoked: close their live connections. */
  z.object({ type: z.literal("tokens-revoked"), ids: z.array(z.string().max(200)).max(500) }),
  /** A browser session signed out or revoked: close its live connections. */
  z.object({ type: z.literal("session-ended"), id: z.string().max(200) }),
]);
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;

/**
 * Told each event, and `{ type: "missed" }` after the bus was cut off for a while (events
 * may have been lost: whoever listens should check again what they would have said).
 */
type Listener = (event: ClusterEvent | { type: "missed" }) => void;

export interface ClusterBus {
  publish(event: ClusterEvent): Promise<void>;
  subscribe(listener: Listener): void;
  close(): Promise<void>;
}

/** One process alone: events go straight to its own listeners. */
export class LocalBus implements ClusterBus {
  private readonly listeners: Listener[] = [];

  async publish(event: ClusterEvent): Promise<void> {
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {}
}

/** Ids per notification: a PostgreSQL NOTIFY payload must stay under 8000 bytes. */
const IDS_PER_NOTIFY = 50;

/**
 * Several processes on one PostgreSQL database: events travel by LISTEN/NOTIFY on a
 * channel named after the schema, so they need nothing beyond the store that already
 * holds what they are about (a revocation is committed before it is announced). A
 * dedicated connection listens and reconnects on its own; after a gap it says "missed".
 */
export class PostgresBus implements ClusterBus {
  private readonly url: string;
  private readonly channel: string;
  private readonly logger: Logger;
  private readonly listeners: Listener[] = [];
  private client: pg.Client | null = null;
  private closed = false;
  private connecting: Promise<void> | null = null;
  private everConnected = false;

  constructor(options: { url: string; schema: string; logger: Logger }) {
    this.url = options.url;
    this.channel = `hotdoc_events_${options.schema}`;
    this.logger = options.logger;
  }

  /** Connects and listens; resolves once listening (or rejects if the database is unreachable). */
  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  async publish(event: ClusterEvent): Promise<void> {
    const payloads =
      event.type === "tokens-revoked"
        ? chunk(event.ids, IDS_PER_NOTIFY).map((ids) => ({ ...event, ids }))
        : [event];
    const client = this.client ?? (await this.connect().then(() => this.client));
    if (!client) throw new Error("cluster bus not connected");
    for (const payload of payloads)
      await client.query("SELECT pg_notify($1, $2)", [this.channel, JSON.stringify(payload)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        connectionTimeoutMillis: 3000,
        query_timeout: 3000,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      client.on("error", () => this.lost(client));
      client.on("end", () => this.lost(client));
      client.on("notification", (message) => this.deliver(message.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      if (this.everConnected) {
        this.logger.info("cluster events back; listeners check what they may have missed");
        for (const listener of this.listeners) listener({ type: "missed" });
      }
      this.everConnected = true;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.logger.warn("cluster events connection lost; reconnecting");
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.connect().catch(() => this.retry());
    }, 500);
    timer.unref();
  }

  private deliver(payload: string | undefined): void {
    let event: ClusterEvent;
    try {
      event = ClusterEventSchema.parse(JSON.parse(payload ?? ""));
    } catch {
      this.logger.warn("cluster event not understood; ignored");
      return;
    }
    for (const listener of this.listeners) listener(event);
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}
