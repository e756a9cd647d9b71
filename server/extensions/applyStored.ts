import * as Y from "yjs";

/**
 * Applies the stored parts of a document that is still loading, in order and in one
 * transaction of `origin`, with its "update" listeners set aside meanwhile. Nobody is
 * connected to a loading document, so there is nobody to tell; with a listener, Yjs would encode the whole
 * stored state once more only for Hocuspocus to queue it as a broadcast (measured:
 * about a third of the apply's time for a big incident). The listeners are the same
 * ones, in the same order, afterwards. Should Yjs keep its listeners elsewhere one
 * day, the parts are applied with the listeners in place, as before.
 */
export function applyStored(document: Y.Doc, parts: Uint8Array[], origin: unknown): void {
  const observers = (document as unknown as { _observers?: unknown })._observers;
  const listeners =
    observers instanceof Map ? (observers.get("update") as Set<unknown> | undefined) : undefined;
  if (listeners) (observers as Map<string, unknown>).delete("update");
  try {
    document.transact(() => {
      for (const part of parts) Y.applyUpdate(document, part, origin);
    }, origin);
  } finally {
    if (listeners) (observers as Map<string, unknown>).set("update", listeners);
  }
}
