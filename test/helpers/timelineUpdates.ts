import * as Y from "yjs";
import { appendTimelineEntry } from "#shared/doc/index.ts";

/** Makes `count` separate updates on `doc`, one timeline entry each, returning them in order. */
export function timelineUpdates(count: number, doc = new Y.Doc(), prefix = "entry"): Uint8Array[] {
  const out: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => out.push(u));
  for (let i = 0; i < count; i++) appendTimelineEntry(doc, { author: "t", text: `${prefix} ${i}` });
  return out;
}

/** A document holding `state` (an empty one for a document never stored). */
export function restoreDoc(state: Uint8Array | null): Y.Doc {
  const doc = new Y.Doc();
  if (state) Y.applyUpdate(doc, state);
  return doc;
}

export function increasing(ids: number[]): boolean {
  return ids.every((id, i) => i === 0 || id > ids[i - 1]);
}
