import type { IncidentSummary } from "#shared/doc/index.ts";
import type {
  AccessTokenRecord,
  ChannelLink,
  ChatTransaction,
  PersonRecord,
  RoomName,
  SessionRecord,
  StoredIncident,
} from "./records.ts";

/**
 * Rows as both stores read them (the same tables and columns in SQLite and PostgreSQL),
 * the records they stand for, and a record's values in the column order both stores'
 * INSERTs list.
 */

/** A value as both stores bind it. */
type Value = string | number | null;

export interface IncidentRow {
  key: string;
  created_at: number;
  summary: string | null;
  last_activity: number;
}

export function incidentFromRow(row: IncidentRow): StoredIncident {
  return {
    key: row.key,
    createdAt: row.created_at,
    summary: row.summary ? (JSON.parse(row.summary) as IncidentSummary) : null,
    lastActivityAt: Number(row.last_activity),
  };
}

export interface TokenRow {
  id: string;
  role: AccessTokenRecord["role"];
  name: string;
  scope: string;
  created_at: number;
  expires_at: number;
  created_by: string;
  revoked_at: number | null;
  /** PostgreSQL's boolean; SQLite's 0 or 1. */
  shared: boolean | number;
  parent: string | null;
}

/** `shared` as the store keeps it (SQLite has no boolean). */
export function tokenValues<Shared extends boolean | number>(
  t: AccessTokenRecord,
  shared: Shared,
): (Value | Shared)[] {
  return [
    t.id,
    t.role,
    t.name,
    t.scope,
    t.createdAt,
    t.expiresAt,
    t.createdBy,
    t.revokedAt,
    shared,
    t.parent,
  ];
}

export function tokenFromRow(r: TokenRow): AccessTokenRecord {
  return {
    id: r.id,
    role: r.role,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    createdBy: r.created_by,
    revokedAt: r.revoked_at,
    shared: r.shared === true || r.shared === 1,
    parent: r.parent,
  };
}

/** What `accessTokenStatus` reads: a token's revocation and its parent's. */
export interface TokenStatusRow {
  revoked_at: number | null;
  parent_revoked_at: number | null;
}

/** A token is active while neither it nor the shared link it was minted from is revoked. */
export function tokenStatus(row: TokenStatusRow | undefined): "active" | "revoked" | "unknown" {
  if (!row) return "unknown";
  return row.revoked_at === null && row.parent_revoked_at === null ? "active" : "revoked";
}

export interface SessionRow {
  id: string;
  secret_hash: string;
  subject: string;
  name: string;
  email: string | null;
  role: SessionRecord["role"];
  scope: string;
  token_id: string | null;
  via: SessionRecord["via"];
  csrf: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export function sessionValues(s: SessionRecord): Value[] {
  return [
    s.id,
    s.secretHash,
    s.subject,
    s.name,
    s.email,
    s.role,
    s.scope,
    s.tokenId,
    s.via,
    s.csrf,
    s.createdAt,
    s.expiresAt,
    s.revokedAt,
  ];
}

export function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    subject: r.subject,
    name: r.name,
    email: r.email,
    role: r.role,
    scope: r.scope,
    tokenId: r.token_id,
    via: r.via,
    csrf: r.csrf,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

export interface PersonRow {
  subject: string;
  name: string;
  email: string;
  updated_at: number;
}

export function personFromRow(row: PersonRow): PersonRecord {
  return { subject: row.subject, name: row.name, email: row.email, updatedAt: row.updated_at };
}

export interface ChannelRow {
  platform: string;
  channel: string;
  incident: string;
  webhook_url: string | null;
  created_at: number;
  created_by: string;
}

export function channelLinkValues(link: ChannelLink): Value[] {
  return [
    link.platform,
    link.channel,
    link.incident,
    link.webhookUrl,
    link.createdAt,
    link.createdBy,
  ];
}

export function channelLinkFromRow(row: ChannelRow): ChannelLink {
  return {
    platform: row.platform,
    channel: row.channel,
    incident: row.incident,
    webhookUrl: row.webhook_url,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export interface RoomNameRow {
  name: string;
  named_at: number;
}

export function roomNameFromRow(row: RoomNameRow): RoomName {
  return { name: row.name, namedAt: row.named_at };
}

export interface ChatTransactionRow {
  digest: string;
  applied_at: number;
}

export function chatTransactionFromRow(row: ChatTransactionRow): ChatTransaction {
  return { digest: row.digest, appliedAt: row.applied_at };
}
