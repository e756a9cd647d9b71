import * as Y from "yjs";
import { COLLECTIONS, collection, isCollectionRoot, type RecordMap } from "./fields.ts";

/**
 * An upper bound on the records an update would add: its items placed directly in a
 * record collection under a key (a record written over an existing key counts too).
 * Decodes the update without applying it, in time linear in its size. An update Yjs
 * cannot decode adds nothing here; applying it is refused elsewhere.
 */
export function recordsAddedBy(update: Uint8Array): number {
  let structs: ReturnType<typeof Y.decodeUpdate>["structs"];
  try {
    structs = Y.decodeUpdate(update).structs;
  } catch {
    return 0;
  }
  let added = 0;
  for (const struct of structs) {
    if (
      struct instanceof Y.Item &&
      typeof struct.parent === "string" &&
      struct.parentSub !== null &&
      isCollectionRoot(struct.parent)
    ) {
      added++;
    }
  }
  return added;
}

export interface RecordCount {
  /** Records in every collection together, as of the last transaction. */
  count(): number;
  stop(): void;
}

/**
 * Counts a document's records once, then keeps the count from the collections' own
 * change events, so asking costs nothing however many records there are.
 */
export function trackRecordCount(doc: Y.Doc): RecordCount {
  let count = 0;
  const stops = COLLECTIONS.map((name) => {
    const records = collection(doc, name);
    count += records.size;
    const handler = (event: Y.YMapEvent<RecordMap>) => {
      event.changes.keys.forEach((change) => {
        if (change.action === "add") count++;
        else if (change.action === "delete") count--;
      });
    };
    records.observe(handler);
    return () => records.unobserve(handler);
  });
  return {
    count: () => count,
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}
