import { SqliteStore } from "../../server/storage/SqliteStore.ts";
import { tempDataDir } from "../helpers/testServer.ts";
import { describeDocumentStore } from "./documentStore.contract.ts";

describeDocumentStore(
  "SqliteStore",
  async () => new SqliteStore(tempDataDir()),
  async (store) => {
    const dir = (store as SqliteStore).file.replace(/\/hotdoc\.sqlite$/, "");
    await store.close();
    return new SqliteStore(dir);
  },
);
