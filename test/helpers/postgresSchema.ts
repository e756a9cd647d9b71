import { randomBytes } from "node:crypto";
import pg from "pg";

/** The shared test database (trust auth). Each test works in a schema of its own. */
export const TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** Schema names for one test file: `fresh` hands one out, `dropAll` drops them all. */
export class TestSchemas {
  private readonly names: string[] = [];

  /** A new, unused schema name (the stores create the schema when they open). */
  fresh(): string {
    const name = `hotdoc_test_${randomBytes(6).toString("hex")}`;
    this.names.push(name);
    return name;
  }

  /** Drops every schema handed out (and nothing else). */
  async dropAll(): Promise<void> {
    const names = this.names.splice(0);
    if (names.length === 0) return;
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const name of names)
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
    } finally {
      await client.end();
    }
  }
}
