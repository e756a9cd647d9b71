import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PersonRecord } from "../records.ts";
import { type PersonRow, personFromRow } from "../rows.ts";
import type { PeopleDirectory } from "../stores.ts";

/** People who signed in, in SQLite (the people table; emails stored lower-cased). */
export class SqlitePeople implements PeopleDirectory {
  private readonly save: StatementSync;
  private readonly findByEmail: StatementSync;

  constructor(db: DatabaseSync) {
    this.save = db.prepare(
      `INSERT INTO people (subject, name, email, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET name = excluded.name, email = excluded.email, updated_at = excluded.updated_at`,
    );
    this.findByEmail = db.prepare(
      "SELECT * FROM people WHERE email = ? ORDER BY updated_at DESC, subject LIMIT 1",
    );
  }

  async savePerson(person: PersonRecord): Promise<void> {
    this.save.run(person.subject, person.name, person.email.toLowerCase(), person.updatedAt);
  }

  async findPersonByEmail(email: string): Promise<PersonRecord | null> {
    const row = this.findByEmail.get(email.toLowerCase()) as PersonRow | undefined;
    return row ? personFromRow(row) : null;
  }
}
