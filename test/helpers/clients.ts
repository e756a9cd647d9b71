import { HocuspocusProvider } from "@hocuspocus/provider";
import * as Y from "yjs";

/** A real @hocuspocus/provider client on its own Y.Doc. */
export function connectProvider(
  wsUrl: string,
  name: string,
  token: string,
  doc: Y.Doc = new Y.Doc(),
): HocuspocusProvider {
  return new HocuspocusProvider({ url: wsUrl, name, token, document: doc });
}

export function whenSynced(provider: HocuspocusProvider, timeoutMs = 10_000): Promise<void> {
  if (provider.isSynced) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      provider.on("synced", ({ state }: { state: boolean }) => state && resolve());
      provider.on("authenticationFailed", ({ reason }: { reason: string }) =>
        reject(new Error(`refused: ${reason}`)),
      );
    }),
    timeoutMs,
    "provider sync",
  );
}

/** Resolves with the refusal reason when the server refuses the provider's token. */
export function whenRefused(provider: HocuspocusProvider, timeoutMs = 10_000): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      provider.on("authenticationFailed", ({ reason }: { reason: string }) => resolve(reason));
    }),
    timeoutMs,
    "refusal",
  );
}

/** Resolves once the server has acknowledged every change the provider sent. */
export function whenAcknowledged(provider: HocuspocusProvider, timeoutMs = 20_000): Promise<void> {
  if (!provider.hasUnsyncedChanges) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = () => {
        if (!provider.hasUnsyncedChanges) {
          provider.off("unsyncedChanges", check);
          resolve();
        }
      };
      provider.on("unsyncedChanges", check);
    }),
    timeoutMs,
    "acknowledgement",
  );
}

/** Resolves when `predicate(doc)` holds, re-checking on every update of the doc. */
export function whenDoc(
  doc: Y.Doc,
  predicate: (doc: Y.Doc) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  if (predicate(doc)) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = () => {
        if (predicate(doc)) {
          doc.off("update", check);
          resolve();
        }
      };
      doc.on("update", check);
    }),
    timeoutMs,
    "document condition",
  );
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
