import * as Y from "yjs";
import { collection } from "./fields.ts";
import type { IncidentDocument } from "./read.ts";
import { readRecord } from "./records.ts";

/**
 * Keeping unsent comms drafts off what viewers read: a draft reads like an official
 * statement that nobody made. This covers what the server reads out for them (the page's
 * plain state, REST reads, exports, time-travel states), not the live document: a
 * viewer's websocket syncs the whole Y.Doc, drafts included (Yjs has no partial sync),
 * and the page simply does not show them. So drafts are hidden from viewers, not kept
 * secret from someone who reads the raw sync.
 */

/** The incident without its unsent comms drafts, for readers who cannot send them (viewers). */
export function withoutUnsentComms(incident: IncidentDocument): IncidentDocument {
  return { ...incident, comms: incident.comms.filter((c) => c.state === "sent") };
}

/**
 * `doc`'s state as a Yjs update, less every comms record that is not a valid sent update
 * (drafts, and anything a client wrote that does not read as a record). `doc` itself is
 * not touched: the drafts are deleted in a copy, whose garbage collection drops their
 * text (and any text overwritten earlier, which a document rebuilt from history may still
 * hold), so the bytes hold no trace of it. The copy's deletions are its own: the result is
 * for reading (time travel), never to merge into a live document.
 */
export function encodeWithoutUnsentComms(doc: Y.Doc): Uint8Array {
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const comms = collection(copy, "comms");
    const unsent = [...comms.keys()].filter(
      (id) => readRecord(copy, "comms", id)?.state !== "sent",
    );
    copy.transact(() => {
      for (const id of unsent) comms.delete(id);
    });
    return Y.encodeStateAsUpdate(copy);
  } finally {
    copy.destroy();
  }
}
