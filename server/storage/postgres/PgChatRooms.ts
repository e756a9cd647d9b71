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
import {
  type ChatRoomStore,
  KEEP_DELIVERIES_MS,
  PRUNE_DELIVERIES_EVERY_MS,
  type SharedSettings,
} from "../stores.ts";
import { PoolStore } from "./pgPool.ts";

/**
 * Chat rooms on PostgreSQL. Where a value is "first writer wins" across processes, the
 * write is `ON CONFLICT DO NOTHING` and the read a separate statement: a statement's
 * snapshot predates a concurrent winner's commit, so reading in the same one could
 * find nothing.
 */
export class PgChatRooms extends PoolStore implements ChatRoomStore {
  private lastPrune = Number.NEGATIVE_INFINITY;

  async linkChannel(link: ChannelLink): Promise<void> {
    await this.pool.query(
      `INSERT INTO channel_links (platform, channel, incident, webhook_url, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (platform, channel) DO UPDATE SET incident = excluded.incident,
         webhook_url = coalesce(excluded.webhook_url, CASE WHEN channel_links.incident = excluded.incident THEN channel_links.webhook_url END),
         created_at = excluded.created_at, created_by = excluded.created_by`,
      channelLinkValues(link),
    );
  }

  async findChannelLink(platform: string, channel: string): Promise<ChannelLink | null> {
    const { rows } = await this.pool.query<ChannelRow>(
      "SELECT * FROM channel_links WHERE platform = $1 AND channel = $2",
      [platform, channel],
    );
    return rows[0] ? channelLinkFromRow(rows[0]) : null;
  }

  async listChannelLinks(incident: string): Promise<ChannelLink[]> {
    const { rows } = await this.pool.query<ChannelRow>(
      `SELECT * FROM channel_links WHERE incident = $1
       ORDER BY created_at, platform COLLATE "C", channel COLLATE "C"`,
      [incident],
    );
    return rows.map(channelLinkFromRow);
  }

  async recordRoomName(
    platform: string,
    channel: string,
    name: string | null,
    at: number = Date.now(),
  ): Promise<RoomName | null> {
    const find = async () =>
      (
        await this.pool.query<RoomNameRow>(
          "SELECT name, named_at FROM chat_rooms WHERE platform = $1 AND channel = $2",
          [platform, channel],
        )
      ).rows[0];
    const row = await find();
    // Write only when the name changes: most deliveries repeat it.
    if (name !== null && row?.name !== name) {
      const { rows } = await this.pool.query(
        `INSERT INTO chat_rooms (platform, channel, name, named_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (platform, channel) DO UPDATE SET name = excluded.name, named_at = excluded.named_at
         WHERE chat_rooms.name <> excluded.name
         RETURNING name`,
        [platform, channel, name, at],
      );
      if (rows.length > 0) return { name, namedAt: at };
      // Another process recorded the same name meanwhile: its time stands.
      const now = await find();
      return now ? roomNameFromRow(now) : null;
    }
    return row ? roomNameFromRow(row) : null;
  }

  async recordChatTransaction(
    platform: string,
    txnId: string,
    digest: string | null,
    at: number = Date.now(),
  ): Promise<ChatTransaction | null> {
    if (digest !== null) {
      const { rows } = await this.pool.query<ChatTransactionRow>(
        `INSERT INTO chat_transactions (platform, txn_id, digest, applied_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (platform, txn_id) DO NOTHING RETURNING digest, applied_at`,
        [platform, txnId, digest, at],
      );
      if (rows[0]) return chatTransactionFromRow(rows[0]);
    }
    const { rows } = await this.pool.query<ChatTransactionRow>(
      "SELECT digest, applied_at FROM chat_transactions WHERE platform = $1 AND txn_id = $2",
      [platform, txnId],
    );
    return rows[0] ? chatTransactionFromRow(rows[0]) : null;
  }

  async claimDelivery(
    key: string,
    holder: string,
    leaseMs: number,
    now: number = Date.now(),
  ): Promise<"claimed" | "done" | "pending"> {
    if (now - this.lastPrune >= PRUNE_DELIVERIES_EVERY_MS) {
      this.lastPrune = now;
      await this.pool.query("DELETE FROM chat_deliveries WHERE done_at < $1", [
        now - KEEP_DELIVERIES_MS,
      ]);
    }
    // A release between the claim and the read removes the row: then claim again.
    for (let attempt = 0; ; attempt++) {
      // Taken when there is no row, when it is ours and not done, or when its lease ran
      // out unfinished; the row lock makes concurrent claimants take turns.
      const claim = await this.pool.query(
        `INSERT INTO chat_deliveries (key, holder, claimed_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, claimed_at = excluded.claimed_at
         WHERE chat_deliveries.done_at IS NULL
           AND (chat_deliveries.holder = excluded.holder OR chat_deliveries.claimed_at + $4 <= excluded.claimed_at)
         RETURNING holder`,
        [key, holder, now, leaseMs],
      );
      if ((claim.rowCount ?? 0) > 0) return "claimed";
      const { rows } = await this.pool.query<{ done_at: number | null }>(
        "SELECT done_at FROM chat_deliveries WHERE key = $1",
        [key],
      );
      if (rows[0]) return rows[0].done_at !== null ? "done" : "pending";
      if (attempt >= 2) return "pending";
    }
  }

  async finishDelivery(key: string, holder: string, at: number = Date.now()): Promise<void> {
    await this.pool.query(
      "UPDATE chat_deliveries SET done_at = $1 WHERE key = $2 AND holder = $3 AND done_at IS NULL",
      [at, key, holder],
    );
  }

  async releaseDelivery(key: string, holder: string): Promise<void> {
    await this.pool.query(
      "DELETE FROM chat_deliveries WHERE key = $1 AND holder = $2 AND done_at IS NULL",
      [key, holder],
    );
  }
}

/** Shared settings on PostgreSQL: the first value stored under a name is everyone's. */
export class PgSettings extends PoolStore implements SharedSettings {
  async claimSetting(name: string, proposed: string): Promise<string> {
    const inserted = await this.pool.query<{ value: string }>(
      "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value",
      [name, proposed],
    );
    if (inserted.rows[0]) return inserted.rows[0].value;
    const { rows } = await this.pool.query<{ value: string }>(
      "SELECT value FROM settings WHERE name = $1",
      [name],
    );
    if (!rows[0]) throw new Error(`setting ${name} is neither stored nor storable`);
    return rows[0].value;
  }
}
