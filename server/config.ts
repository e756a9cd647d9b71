import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { describeIssues } from "#shared/errors.ts";
import { CHAT_ENV, type ChatSettings } from "./bridge/platforms/chatEnv.ts";
import { type AllowedTarget, parseAllowedTargets } from "./net/outboundTarget.ts";
import {
  buildPagingConfig,
  PAGING_ENV,
  type PagingConfig,
  PagingConfigError,
} from "./paging/pagingConfig.ts";

/**
 * Configuration, parsed once at start-up from the environment. Every default is
 * chosen so that `npm start` works with no configuration at all.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("localhost"),
  DATA_DIR: z.string().min(1).default("./data"),
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters").optional(),
  TOKEN_SECRET: z.string().min(32, "TOKEN_SECRET must be at least 32 characters").optional(),
  KEY_PREFIX: z
    .string()
    .regex(
      /^[A-Z][A-Z0-9]{0,15}$/,
      "KEY_PREFIX is upper-case letters and digits, starting with a letter",
    )
    .default("HOT"),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CHECKPOINT_EVERY: z.coerce.number().int().min(10).max(1_000_000).default(500),
  HISTORY_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  ANNOUNCE_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  WEBHOOK_ALLOWED_TARGETS: z
    .string()
    .default("")
    .transform((value, ctx) => {
      try {
        return parseAllowedTargets(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ALLOW_PRIVATE_WEBHOOKS: z.enum(["1", "0", "true", "false"]).default("0"),
  CHAT_CREATE_ROOMS: z.enum(["1", "0", "true", "false"]).default("1"),
  MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024, "MAX_DOCUMENT_BYTES must be at least 1 MiB")
    .max(2 ** 31)
    .default(64 * 1024 * 1024),
  MAX_RECORDS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  // Per token below per incident: one viewer link alone can never take every slot.
  MAX_EXPORTS_PER_INCIDENT: z.coerce.number().int().min(1).max(100).default(3),
  MAX_EXPORTS_PER_TOKEN: z.coerce.number().int().min(1).max(100).default(1),
  TRUST_PROXY: z.enum(["true", "false", "1", "0"]).default("false"),
  WS_AUTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_TOKEN_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_HOOKS_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(0).default(30),
  WS_CONNECTS_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  WS_MESSAGES_PER_MINUTE: z.coerce.number().int().min(0).default(12_000),
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_PROVIDER_NAME: z.string().trim().min(1).max(60).optional(),
  OIDC_SCOPES: z
    .string()
    .regex(/(^|\s)openid(\s|$)/, "OIDC_SCOPES must include openid")
    .default("openid profile email"),
  OIDC_DEFAULT_ROLE: z.enum(["responder", "viewer"]).default("responder"),
  OIDC_ADMIN_EMAILS: z.string().default(""),
  OIDC_ADMIN_GROUPS: z.string().default(""),
  OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  OIDC_ALLOWED_DOMAINS: z.string().default(""),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL is a postgres:// URL" })
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "DATABASE_SCHEMA is a lower-case SQL identifier")
    .default("public"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "REDIS_URL is a redis:// URL" }).optional(),
  PROCESS_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "PROCESS_NAME is letters, digits, dot, dash, underscore")
    .optional(),
  SESSION_HOURS: z.coerce.number().min(0.0005).max(720).default(12),
  CHAT_IDENTITY_MAP: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const map = new Map<string, string>();
      for (const item of list(value)) {
        const match = /^([a-z]+):(.+)=([^\s=]+@[^\s=]+)$/.exec(item);
        if (!match) {
          ctx.addIssue({
            code: "custom",
            message: `CHAT_IDENTITY_MAP entries look like slack:U0BOB=bob@example.com, not ${item}`,
          });
          return z.NEVER;
        }
        map.set(`${match[1]}:${match[2]}`, match[3].toLowerCase());
      }
      return map;
    }),
});

/** A comma-separated setting as its trimmed, non-empty items. */
function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Sign-in with the company's identity provider (OpenID Connect). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button: "Sign in with <providerName>". */
  providerName: string;
  scopes: string;
  /** The role of a signed-in member of the organisation who is not an admin. */
  defaultRole: "responder" | "viewer";
  /** Lower-cased emails that are admins. */
  adminEmails: string[];
  /** Groups (in the `groupsClaim` claim) whose members are admins. */
  adminGroups: string[];
  groupsClaim: string;
  /** Lower-cased email domains allowed to sign in; empty allows anyone the provider signs in. */
  allowedDomains: string[];
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  /** Signs share links and tokens; generated into DATA_DIR when unset. Processes sharing a store must share it. */
  tokenSecret?: string;
  keyPrefix: string;
  publicUrl?: string;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  /** Write a checkpoint of a document after this many updates. */
  checkpointEvery: number;
  /** Keep every single update (exact time travel) for this many days; 0 keeps them forever. */
  historyDays: number;
  /** Largest websocket frame accepted. */
  maxMessageBytes: number;
  /** Largest an incident document may grow (its encoded Yjs state); writes past it are refused. */
  maxDocumentBytes: number;
  /** Most records (timeline entries, changes, observations…) an incident document may hold, all collections together. */
  maxRecords: number;
  /** Exports and time-travel reads (`/export`, `/state?at=`) running at once, per incident and per token; more answer 429. */
  maxExports: { perIncident: number; perToken: number };
  /** Take the client address from the last X-Forwarded-For hop (set when a proxy such as HAProxy is in front). */
  trustProxy: boolean;
  /** A websocket that has not authenticated a document by then is closed. */
  wsAuthTimeoutMs: number;
  /** Per-minute limits (0 turns one off); see README "Security". */
  rateLimits: RateLimitSettings;
  /** Each chat platform's settings (its own env fragment); an adapter without its secret is off. */
  chat: ChatSettings;
  /** Declaring an incident opens its room on every platform whose API is configured. */
  createRooms: boolean;
  /** Lift the outbound address and https rules for every target (tests and closed networks). */
  allowPrivateWebhooks: boolean;
  /** Least time between two announcements posted to the same room. */
  announceIntervalMs: number;
  /** Webhook targets outside public address space that the operator allows (by default none: no SSRF). */
  webhookAllowedTargets: AllowedTarget[];
  /** Directory of the built client. */
  clientDir: string;
  /** Sign-in with an identity provider; null runs on access links only. */
  oidc: OidcSettings | null;
  /** How long a browser session lasts. */
  sessionHours: number;
  /** PostgreSQL (DATABASE_URL, tables in DATABASE_SCHEMA); null keeps everything in DATA_DIR's SQLite file. */
  database: { url: string; schema: string } | null;
  /** Redis for fan-out between processes (REDIS_URL); null runs alone. */
  redisUrl: string | null;
  /** This process's name in metrics, logs and Redis (PROCESS_NAME, else host and pid). */
  processName: string;
  /** Chat identities (`platform:userId`) known to be a person with this (lower-cased) email. */
  chatIdentityMap: Map<string, string>;
  /** Paging (PagerDuty, Opsgenie, webhook) and publishing (Statuspage, email, webhook); each off until configured. */
  paging: PagingConfig;
}

export interface RateLimitSettings {
  /** HTTP requests per client address (API, pages, health), per minute. */
  ipPerMinute: number;
  /** API requests per token, per minute. */
  tokenPerMinute: number;
  /** Chat webhook deliveries per client address, per minute. */
  hooksPerMinute: number;
  /** Failed authentications per client address in 10 minutes before it is refused for 10 minutes. */
  authFailures: number;
  /** Websocket connection attempts per client address, per minute (Hocuspocus' throttle). */
  wsConnectsPerMinute: number;
  /** Websocket messages per token, per minute. */
  wsMessagesPerMinute: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const issues = parsed.success ? [] : [...parsed.error.issues];
  const chat: Partial<Record<keyof ChatSettings, unknown>> = {};
  for (const [platform, fragment] of Object.entries(CHAT_ENV)) {
    const result = fragment.safeParse(env);
    if (result.success) chat[platform as keyof ChatSettings] = result.data;
    else issues.push(...result.error.issues);
  }
  if (parsed.success) {
    const oidc = [
      parsed.data.OIDC_ISSUER,
      parsed.data.OIDC_CLIENT_ID,
      parsed.data.OIDC_CLIENT_SECRET,
    ].filter((v) => v !== undefined).length;
    if (oidc !== 0 && oidc !== 3)
      issues.push({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together, or none of them",
        input: undefined,
      });
    const issuer = parsed.data.OIDC_ISSUER ? new URL(parsed.data.OIDC_ISSUER) : null;
    if (issuer?.protocol === "http:" && !LOOPBACK.has(issuer.hostname))
      issues.push({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER must be https (http only on this machine, for tests)",
        input: undefined,
      });
  }
  if (parsed.success && parsed.data.DATABASE_URL) {
    // Processes sharing a database must sign and check links with the same keys; a
    // secret generated into one process's DATA_DIR would make the others refuse them.
    for (const name of ["TOKEN_SECRET", "ADMIN_TOKEN"] as const)
      if (!parsed.data[name])
        issues.push({
          code: "custom",
          path: [name],
          message: `${name} must be set when DATABASE_URL is (every process must share it)`,
          input: undefined,
        });
  }
  const pagingEnv = PAGING_ENV.safeParse(env);
  if (!pagingEnv.success) issues.push(...pagingEnv.error.issues);
  if (!parsed.success || issues.length > 0) {
    const { message } = describeIssues(issues, { limit: Number.POSITIVE_INFINITY });
    throw new ConfigError(`invalid configuration — ${message}`);
  }
  let paging: PagingConfig;
  try {
    paging = buildPagingConfig(pagingEnv.data as NonNullable<typeof pagingEnv.data>);
  } catch (error) {
    if (error instanceof PagingConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    adminToken: e.ADMIN_TOKEN,
    tokenSecret: e.TOKEN_SECRET,
    keyPrefix: e.KEY_PREFIX,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    logLevel: e.LOG_LEVEL,
    checkpointEvery: e.CHECKPOINT_EVERY,
    historyDays: e.HISTORY_DAYS,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
    maxRecords: e.MAX_RECORDS,
    maxExports: { perIncident: e.MAX_EXPORTS_PER_INCIDENT, perToken: e.MAX_EXPORTS_PER_TOKEN },
    trustProxy: e.TRUST_PROXY === "true" || e.TRUST_PROXY === "1",
    wsAuthTimeoutMs: e.WS_AUTH_TIMEOUT_MS,
    rateLimits: {
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
      tokenPerMinute: e.RATE_LIMIT_TOKEN_PER_MINUTE,
      hooksPerMinute: e.RATE_LIMIT_HOOKS_PER_MINUTE,
      authFailures: e.RATE_LIMIT_AUTH_FAILURES,
      wsConnectsPerMinute: e.WS_CONNECTS_PER_MINUTE,
      wsMessagesPerMinute: e.WS_MESSAGES_PER_MINUTE,
    },
    chat: chat as ChatSettings,
    createRooms: e.CHAT_CREATE_ROOMS === "1" || e.CHAT_CREATE_ROOMS === "true",
    allowPrivateWebhooks: e.ALLOW_PRIVATE_WEBHOOKS === "1" || e.ALLOW_PRIVATE_WEBHOOKS === "true",
    announceIntervalMs: e.ANNOUNCE_INTERVAL_MS,
    webhookAllowedTargets: e.WEBHOOK_ALLOWED_TARGETS,
    clientDir: path.resolve(import.meta.dirname, "..", "dist", "client"),
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            providerName: e.OIDC_PROVIDER_NAME ?? new URL(e.OIDC_ISSUER).hostname,
            scopes: e.OIDC_SCOPES,
            defaultRole: e.OIDC_DEFAULT_ROLE,
            adminEmails: list(e.OIDC_ADMIN_EMAILS).map((v) => v.toLowerCase()),
            adminGroups: list(e.OIDC_ADMIN_GROUPS),
            groupsClaim: e.OIDC_GROUPS_CLAIM,
            allowedDomains: list(e.OIDC_ALLOWED_DOMAINS).map((v) =>
              v.toLowerCase().replace(/^@/, ""),
            ),
          }
        : null,
    sessionHours: e.SESSION_HOURS,
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA } : null,
    redisUrl: e.REDIS_URL ?? null,
    processName: e.PROCESS_NAME ?? `${os.hostname()}-${process.pid}`,
    chatIdentityMap: e.CHAT_IDENTITY_MAP,
    paging,
  };
}
