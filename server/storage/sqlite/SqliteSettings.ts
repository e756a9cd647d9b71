import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { SharedSettings } from "../stores.ts";

/** Shared settings in SQLite (the settings table): the first value stored under a name stays. */
export class SqliteSettings implements SharedSettings {
  private readonly insert: StatementSync;
  private readonly find: StatementSync;

  constructor(db: DatabaseSync) {
    this.insert = db.prepare("INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)");
    this.find = db.prepare("SELECT value FROM settings WHERE name = ?");
  }

  async claimSetting(name: string, proposed: string): Promise<string> {
    this.insert.run(name, proposed);
    return (this.find.get(name) as { value: string }).value;
  }
}
