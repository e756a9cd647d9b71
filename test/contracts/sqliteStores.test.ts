import path from "node:path";
import { openSqliteStores } from "../../server/storage/sqlite/openSqliteStores.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { tempDataDir } from "../helpers/testServer.ts";
import { describeStores } from "./storesContract.ts";

/** The data directory a set of SQLite stores was opened on. */
const dirOf = (stores: Stores) =>
  path.dirname((stores as Awaited<ReturnType<typeof openSqliteStores>>).file);

describeStores("SQLite", {
  open: () => openSqliteStores(tempDataDir()),
  async reopen(stores) {
    await stores.close();
    return openSqliteStores(dirOf(stores));
  },
  sibling: (stores) => openSqliteStores(dirOf(stores)),
});
