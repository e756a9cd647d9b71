import type { IncidentSummary } from "#shared/doc/index.ts";
import type {
  AccessTokenRecord,
  ChannelLink,
  ChatTransaction,
  CompactionResult,
  PersonRecord,
  RoomName,
  SessionRecord,
  StoredIncident,
} from "./records.ts";

/**
 * Where hotdoc keeps things, split by concern. Each interface has its own contract
 * suite in test/contracts/, run against every implementation (SQLite, PostgreSQL).
 * `createStores(config)` (createStores.ts) builds one set for the server, the CLI and
 * the benchmarks.
 */

/**
 * The update log of each document, with its checkpoints and the history time travel
 * reads. The log is the truth: an update is durable once `appendUpdate` has resolved.
 */
export interface UpdateLogStore {
  /**
   * Appends one Yjs update; resolves when it is committed. Returns its sequence number,
   * which grows with every append to the same document. Appends made in the same
   * event-loop turn may share one round trip to the database.
   */
  appendUpdate(doc: string, update: Uint8Array, origin: string, at?: number): Promise<number>;

  /**
   * The document's merged state: now, or as it stood at `at` (epoch ms). Null when
   * nothing is stored. Throws HistoryCompactedError when `at` is older than the kept history.
   */
  loadState(doc: string, options?: { at?: number }): Promise<Uint8Array | null>;

  /**
   * The same state unmerged: Yjs updates to apply in order (a checkpoint, then the updates
   * after it). Loading a document applies these one by one, which costs less than merging
   * them first and applying the merge.
   */
  loadParts(doc: string, options?: { at?: number }): Promise<Uint8Array[] | null>;

  /**
   * Writes a checkpoint when at least `every` updates have accumulated since the
   * last one, then prunes single updates (and superseded checkpoints) older than
   * `keepMs` that a checkpoint covers. `keepMs` 0 keeps every update forever.
   * Safe to call from several processes at once: a checkpoint never covers an update
   * that was not yet committed when it was taken, and concurrent calls do not both write.
   * It must not block the caller's thread for time proportional to the document.
   */
  compact(
    doc: string,
    options: { every: number; keepMs: number; now?: number },
  ): Promise<CompactionResult>;

  /** When exact history starts for a document (epoch ms), or null if nothing is stored. */
  historyStart(doc: string): Promise<number | null>;

  /** Every stored document's name (for copying a store). */
  listDocuments(): Promise<string[]>;
}

/** The incidents that exist, their keys and their list summaries. */
export interface IncidentRegistry {
  /**
   * Allocates the next incident key for a prefix (`HOT-1`, `HOT-2`…) and registers it,
   * atomically across every process using the store.
   */
  createIncident(prefix: string, createdAt?: number): Promise<string>;
  incidentExists(key: string): Promise<boolean>;
  /** Every registered incident with its cached summary and its last activity (from the update log). */
  listIncidents(): Promise<StoredIncident[]>;
  /** Caches the list view of an incident so the list does not load every document. */
  saveSummary(key: string, summary: IncidentSummary): Promise<void>;
}

/** Minted tokens (share links), so they can be listed and revoked. */
export interface AccessTokenStore {
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
}

/** Browser sessions (a sign-in, or an access link exchanged for a cookie). */
export interface SessionStore {
  saveSession(session: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | null>;
  /** Marks a session revoked; false if there is no such session. Revoking twice keeps the first time. */
  revokeSession(id: string, at?: number): Promise<boolean>;
  /** Sessions that have not expired at `now`, newest first. */
  listSessions(now?: number): Promise<SessionRecord[]>;
}

/** People who signed in with the identity provider. */
export interface PeopleDirectory {
  /** Remembers a person (name and email as the provider last said). */
  savePerson(person: PersonRecord): Promise<void>;
  /** The signed-in person with this email (compared case-insensitively), if any. */
  findPersonByEmail(email: string): Promise<PersonRecord | null>;
}

/** Finished chat deliveries are remembered this long (platforms retry within minutes, not days). */
export const KEEP_DELIVERIES_MS = 7 * 86_400_000;
/** Forgetting old deliveries runs at most this often per store, on a claim. */
export const PRUNE_DELIVERIES_EVERY_MS = 3_600_000;

/** Chat rooms: which incident each belongs to, their names, and deliveries applied. */
export interface ChatRoomStore {
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
  /**
   * Claims the right to apply one chat delivery (`key`: platform, room and message id),
   * so that a delivery reaching two processes at once is applied by one. Returns
   * "claimed" to the caller that must apply it (the first, or the next one once the
   * holder's lease of `leaseMs` has run out without it finishing), "done" when it was
   * applied already, and "pending" while another holder's lease runs.
   */
  claimDelivery(
    key: string,
    holder: string,
    leaseMs: number,
    now?: number,
  ): Promise<"claimed" | "done" | "pending">;
  /** Marks a claimed delivery applied (durable in the document): later claims say "done". */
  finishDelivery(key: string, holder: string, at?: number): Promise<void>;
  /** Gives a claim up (applying it failed) so that a retry may claim it at once. */
  releaseDelivery(key: string, holder: string): Promise<void>;
}

/** Small values every process must agree on (the team link's token). */
export interface SharedSettings {
  /** The value stored under `name`; stores `proposed` first if there is none (first writer wins). */
  claimSetting(name: string, proposed: string): Promise<string>;
}

/** One set of stores over one database. */
export interface Stores {
  /** "sqlite" or "postgres". */
  readonly kind: "sqlite" | "postgres";
  readonly log: UpdateLogStore;
  readonly incidents: IncidentRegistry;
  readonly tokens: AccessTokenStore;
  readonly sessions: SessionStore;
  readonly people: PeopleDirectory;
  readonly chat: ChatRoomStore;
  readonly settings: SharedSettings;
  /** The schema version the database is at after start-up migrations. */
  schemaVersion(): Promise<number>;
  /** A cheap round trip to the database; rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
