import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ChannelLink, ChatTransaction, RoomName } from "../records.ts";
import {
  type ChannelRow,
  type ChatTransactionRow,
  channelLinkFromRow,
  channelLinkValues,
  chatTransactionFromRow,
  type RoomNameRow,
  roomNameFromRow,
} from "../rows.ts";
import { type ChatRoomStore, KEEP_DELIVERIES_MS, PRUNE_DELIVERIES_EVERY_MS } from "../stores.ts";
import { prepareAll } from "./prepare.ts";
import { transaction } from "./transaction.ts";

type Statement =
  | "link"
  | "findLink"
  | "listLinks"
  | "findRoomName"
  | "saveRoomName"
  | "findTransaction"
  | "saveTransaction"
  | "claim"
  | "delivery"
  | "finish"
  | "release"
  | "pruneDeliveries";

/** Chat rooms in SQLite: links to incidents, room names, applied transactions, delivery claims. */
export class SqliteChatRooms implements ChatRoomStore {
  private readonly db: DatabaseSync;
  private readonly s: Record<Statement, StatementSync>;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.s = prepareAll(db, {
      link: `INSERT INTO channel_links (platform, channel, incident, webhook_url, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, channel) DO UPDATE SET incident = excluded.incident,
           webhook_url = coalesce(excluded.webhook_url, CASE WHEN channel_links.incident = excluded.incident THEN channel_links.webhook_url END),
           created_at = excluded.created_at, created_by = excluded.created_by`,
      findLink: "SELECT * FROM channel_links WHERE platform = ? AND channel = ?",
      listLinks:
        "SELECT * FROM channel_links WHERE incident = ? ORDER BY created_at, platform, channel",
      findRoomName: "SELECT name, named_at FROM chat_rooms WHERE platform = ? AND channel = ?",
      saveRoomName: `INSERT INTO chat_rooms (platform, channel, name, named_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, channel) DO UPDATE SET name = excluded.name, named_at = excluded.named_at`,
      findTransaction:
        "SELECT digest, applied_at FROM chat_transactions WHERE platform = ? AND txn_id = ?",
      saveTransaction:
        "INSERT OR IGNORE INTO chat_transactions (platform, txn_id, digest, applied_at) VALUES (?, ?, ?, ?)",
      // Taken when there is no row, when it is ours and not done, or when its lease ran out
      // unfinished; RETURNING is empty otherwise.
      claim: `INSERT INTO chat_deliveries (key, holder, claimed_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, claimed_at = excluded.claimed_at
         WHERE chat_deliveries.done_at IS NULL
           AND (chat_deliveries.holder = excluded.holder OR chat_deliveries.claimed_at + ? <= excluded.claimed_at)
         RETURNING holder`,
      delivery: "SELECT done_at FROM chat_deliveries WHERE key = ?",
      finish:
        "UPDATE chat_deliveries SET done_at = ? WHERE key = ? AND holder = ? AND done_at IS NULL",
      release: "DELETE FROM chat_deliveries WHERE key = ? AND holder = ? AND done_at IS NULL",
      pruneDeliveries: "DELETE FROM chat_deliveries WHERE done_at < ?",
    });
  }

  async linkChannel(link: ChannelLink): Promise<void> {
    this.s.link.run(...channelLinkValues(link));
  }

  async findChannelLink(platform: string, channel: string): Promise<ChannelLink | null> {
    const row = this.s.findLink.get(platform, channel) as ChannelRow | undefined;
    return row ? channelLinkFromRow(row) : null;
  }

  async listChannelLinks(incident: string): Promise<ChannelLink[]> {
    return (this.s.listLinks.all(incident) as unknown as ChannelRow[]).map(channelLinkFromRow);
  }

  async recordRoomName(
    platform: string,
    channel: string,
    name: string | null,
    at: number = Date.now(),
  ): Promise<RoomName | null> {
    const row = this.s.findRoomName.get(platform, channel) as RoomNameRow | undefined;
    // Write only when the name changes: most deliveries repeat it, and a write is an fsync.
    if (name !== null && row?.name !== name) {
      this.s.saveRoomName.run(platform, channel, name, at);
      return { name, namedAt: at };
    }
    return row ? roomNameFromRow(row) : null;
  }

  async recordChatTransaction(
    platform: string,
    txnId: string,
    digest: string | null,
    at: number = Date.now(),
  ): Promise<ChatTransaction | null> {
    if (digest !== null) this.s.saveTransaction.run(platform, txnId, digest, at);
    const row = this.s.findTransaction.get(platform, txnId) as ChatTransactionRow | undefined;
    return row ? chatTransactionFromRow(row) : null;
  }

  async claimDelivery(
    key: string,
    holder: string,
    leaseMs: number,
    now: number = Date.now(),
  ): Promise<"claimed" | "done" | "pending"> {
    return transaction(this.db, () => {
      if (now - this.lastPrune >= PRUNE_DELIVERIES_EVERY_MS) {
        this.lastPrune = now;
        this.s.pruneDeliveries.run(now - KEEP_DELIVERIES_MS);
      }
      if (this.s.claim.get(key, holder, now, leaseMs) !== undefined) return "claimed";
      const row = this.s.delivery.get(key) as { done_at: number | null } | undefined;
      return row?.done_at != null ? "done" : "pending";
    });
  }

  async finishDelivery(key: string, holder: string, at: number = Date.now()): Promise<void> {
    this.s.finish.run(at, key, holder);
  }

  async releaseDelivery(key: string, holder: string): Promise<void> {
    this.s.release.run(key, holder);
  }
}
