import type { TokenRole } from "#shared/access.ts";
import type { IncidentSummary } from "#shared/doc/index.ts";

/** The records the stores keep (stores.ts), shared by every implementation. */

export interface StoredIncident {
  key: string;
  createdAt: number;
  summary: IncidentSummary | null;
  /**
   * When the store last accepted an update to the incident's document (epoch ms): any
   * change at all (timeline, notes, changes, any record, a field), never earlier than
   * `createdAt`. Read from the update log itself, so keeping it costs no write.
   */
  lastActivityAt: number;
}

export interface AccessTokenRecord {
  id: string;
  role: TokenRole;
  name: string;
  scope: string;
  createdAt: number;
  expiresAt: number;
  createdBy: string;
  revokedAt: number | null;
  /** Held by several people (minted without a name): a browser opening it asks who is using it. */
  shared: boolean;
  /** The shared token a personal link was minted from; revoking that one revokes this one. */
  parent: string | null;
}

export interface SessionRecord {
  /** Public id (the cookie carries `<id>.<secret>`). */
  id: string;
  /** SHA-256 of the cookie's secret, hex. */
  secretHash: string;
  subject: string;
  name: string;
  email: string | null;
  role: TokenRole;
  scope: string;
  /** The access link the session stands on, when it came from one (its revocation ends the session). */
  tokenId: string | null;
  via: "oidc" | "link";
  /** The value a cookie-authenticated request must echo in `x-csrf-token`. */
  csrf: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface PersonRecord {
  /** `oidc:<sub>` */
  subject: string;
  name: string;
  /** Lower-cased. */
  email: string;
  updatedAt: number;
}

export interface ChannelLink {
  platform: string;
  channel: string;
  incident: string;
  /** Where announcements for this room are posted (the platform's incoming webhook), if anywhere. */
  webhookUrl: string | null;
  createdAt: number;
  createdBy: string;
}

export interface RoomName {
  name: string;
  /** When the room was first seen with this name (epoch ms). */
  namedAt: number;
}

export interface ChatTransaction {
  /** A digest of the delivery's body, to tell a retry from a reused id. */
  digest: string;
  appliedAt: number;
}

export interface CompactionResult {
  checkpointSeq: number | null;
  /** Size of the checkpoint written, when one was. */
  checkpointBytes?: number | null;
  prunedUpdates: number;
  prunedCheckpoints: number;
  /** Time the compaction took off the calling thread, when the store does it elsewhere. */
  workerMs?: number;
}

export class HistoryCompactedError extends Error {
  readonly historyStart: number;
  constructor(doc: string, historyStart: number) {
    super(`history of ${doc} before ${new Date(historyStart).toISOString()} has been compacted`);
    this.name = "HistoryCompactedError";
    this.historyStart = historyStart;
  }
}
