import type { TokenRole } from "#shared/access.ts";
import type { IncidentSummary } from "#shared/doc/index.ts";

/**
 * Where documents live. The log of accepted updates is the truth: an update is
 * durable once `appendUpdate` has resolved. Checkpoints (full states) make loading
 * fast and let old single updates be pruned; `loadState({ at })` rebuilds a document
 * as it stood at an instant from the same log.
 *
 * Every implementation passes the suite in test/contracts/.
 */
export interface DocumentStore {
  /** "sqlite", "postgres"… */
  readonly kind: string;

  /** Appends one Yjs update; resolves when it is durable. Returns the update's sequence number. */
  appendUpdate(doc: string, update: Uint8Array, origin: string, at?: number): Promise<number>;

  /**
   * The document's merged state: now, or as it stood at `at` (epoch ms). Null when
   * nothing is stored. Throws HistoryCompactedError when `at` is older than the kept history.
   */
  loadState(doc: string, options?: { at?: number }): Promise<Uint8Array | null>;

  /**
   * Writes a checkpoint when at least `every` updates have accumulated since the
   * last one, then prunes single updates (and superseded checkpoints) older than
   * `keepMs` that a checkpoint covers. `keepMs` 0 keeps every update forever.
   * A new checkpoint is the previous one plus the updates since, never a rebuild of
   * the whole log; a store may wait for a tail worth rewriting the checkpoint for
   * (SqliteStore: a quarter of its size, or 32 × `every` updates). It must not block
   * the caller's thread for time proportional to the document.
   */
  compact(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
  ): Promise<CompactionResult>;

  /** When exact history starts for a document (epoch ms), or null if nothing is stored. */
  historyStart(doc: string): Promise<number | null>;

  /** Allocates the next incident key for a prefix (`HOT-1`, `HOT-2`…) atomically and registers it. */
  createIncident(prefix: string, createdAt?: number): Promise<string>;
  incidentExists(key: string): Promise<boolean>;
  /** Every registered incident with its cached summary and its last activity. */
  listIncidents(): Promise<StoredIncident[]>;
  /** Caches the list view of an incident so the list does not load every document. */
  saveSummary(key: string, summary: IncidentSummary): Promise<void>;

  /** Records a minted token (share link) so it can be listed and revoked. */
  saveAccessToken(token: AccessTokenRecord): Promise<void>;
  /** Minted tokens, newest first; only those scoped to `scope` when given. */
  listAccessTokens(scope?: string): Promise<AccessTokenRecord[]>;
  /**
   * Marks a token revoked, and the personal links minted from it (its children); false if
   * there is no such token. Revoking twice keeps the first time.
   */
  revokeAccessToken(id: string, at?: number): Promise<boolean>;
  /** The ids of the personal links minted from a shared token. */
  childTokens(id: string): Promise<string[]>;
  /** "active", "revoked", or "unknown" for an id the store never recorded. */
  accessTokenStatus(id: string): Promise<"active" | "revoked" | "unknown">;

  /** Links a chat room to an incident (a room belongs to one incident; linking again moves it). */
  linkChannel(link: ChannelLink): Promise<void>;
  findChannelLink(platform: string, channel: string): Promise<ChannelLink | null>;
  listChannelLinks(incident: string): Promise<ChannelLink[]>;
  /**
   * The name a chat platform gave a room, remembered so that a room named after an
   * incident (`hot-12`) is known to belong to it even when the platform does not repeat
   * the name (Matrix sends it once). With a name, records it (`namedAt` changes only
   * when the name does); with null, only reads. Returns what is recorded, or null.
   */
  recordRoomName(
    platform: string,
    channel: string,
    name: string | null,
    at?: number,
  ): Promise<RoomName | null>;
  /**
   * A chat platform's transaction that has been applied (Matrix application-service
   * txnIds), so that a transaction id is applied once, across restarts. With a digest,
   * records it unless already recorded (the first record stays); with null, only reads.
   * Returns what is recorded, or null.
   */
  recordChatTransaction(
    platform: string,
    txnId: string,
    digest: string | null,
    at?: number,
  ): Promise<ChatTransaction | null>;

  /** Records a browser session (a sign-in, or an access link exchanged for a cookie). */
  saveSession(session: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | null>;
  /** Marks a session revoked; false if there is no such session. Revoking twice keeps the first time. */
  revokeSession(id: string, at?: number): Promise<boolean>;
  /** Sessions that have not expired at `now`, newest first. */
  listSessions(now?: number): Promise<SessionRecord[]>;

  /** Remembers a person who signed in with the identity provider (name and email as it last said). */
  savePerson(person: PersonRecord): Promise<void>;
  /** The signed-in person with this email (compared case-insensitively), if any. */
  findPersonByEmail(email: string): Promise<PersonRecord | null>;

  /** A cheap round trip to the store. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

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
