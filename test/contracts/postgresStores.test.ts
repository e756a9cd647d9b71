import { afterAll } from "vitest";
import { openPostgresStores } from "../../server/storage/postgres/openPostgresStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { TEST_DATABASE_URL, TestSchemas } from "../helpers/postgresSchema.ts";
import { describeStores } from "./storesContract.ts";

const schemas = new TestSchemas();
const schemaOf = new WeakMap<Stores, string>();

async function open(schema: string): Promise<Stores> {
  const stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema });
  schemaOf.set(stores, schema);
  return stores;
}

function schemaFor(stores: Stores): string {
  const schema = schemaOf.get(stores);
  if (!schema) throw new Error("stores not opened by this factory");
  return schema;
}

// Each open() is a fresh schema on the shared test database; reopen and sibling use the same one.
describeStores("PostgreSQL", {
  open: () => open(schemas.fresh()),
  async reopen(stores) {
    const schema = schemaFor(stores);
    await stores.close();
    return open(schema);
  },
  sibling: (stores) => open(schemaFor(stores)),
});

afterAll(() => schemas.dropAll());
