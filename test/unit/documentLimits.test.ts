import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addTheory,
  appendTimelineEntry,
  CommsRecord,
  editTimelineEntry,
  initIncident,
  recordsAddedBy,
  TheoryRecord,
  trackRecordCount,
} from "#shared/doc/index.ts";

function incident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-1",
    summary: "Limits",
    severity: 2,
    actor: { name: "a", source: "api" },
  });
  return doc;
}

/** The updates `change` produces on `doc`. */
function updatesOf(doc: Y.Doc, change: () => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  const listener = (u: Uint8Array) => out.push(u);
  doc.on("update", listener);
  change();
  doc.off("update", listener);
  return out;
}

describe("document limits, counted without walking the document", () => {
  it("counts the records an update adds before it is applied, and none for an edit", () => {
    const doc = incident();
    const [added] = updatesOf(doc, () => appendTimelineEntry(doc, { author: "a", text: "one" }));
    expect(recordsAddedBy(added)).toBe(1);
    const [three] = updatesOf(doc, () =>
      doc.transact(() => {
        for (let i = 0; i < 3; i++) appendTimelineEntry(doc, { author: "a", text: `more ${i}` });
      }),
    );
    expect(recordsAddedBy(three)).toBe(3);
    const id = appendTimelineEntry(doc, { author: "a", text: "to edit" }).id;
    const [edit] = updatesOf(doc, () => editTimelineEntry(doc, id, "edited"));
    expect(recordsAddedBy(edit)).toBe(0);
    expect(recordsAddedBy(new Uint8Array([1, 2, 3, 250, 7]))).toBe(0);
  });

  it("keeps a document's record count from change events, across collections and remote updates", () => {
    const doc = incident();
    const tracker = trackRecordCount(doc);
    const start = tracker.count();
    appendTimelineEntry(doc, { author: "a", text: "one" });
    addTheory(doc, { author: "a", text: "cache stampede" }); // a theory and its timeline entry
    expect(tracker.count()).toBe(start + 3);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    const remote = trackRecordCount(replica);
    expect(remote.count()).toBe(tracker.count());
    Y.applyUpdate(
      replica,
      updatesOf(doc, () => appendTimelineEntry(doc, { author: "b", text: "two" }))[0],
    );
    expect(remote.count()).toBe(tracker.count());
    tracker.stop();
    appendTimelineEntry(doc, { author: "a", text: "after stop" });
    expect(tracker.count()).toBe(start + 4);
  });

  it("bounds the stored arrays a CRDT client could grow without limit", () => {
    const at = "2026-11-20T14:00:00.000Z";
    const theory = {
      id: "t1",
      at,
      author: "a",
      text: "x",
      state: "open",
      observationIds: [] as string[],
    };
    expect(
      TheoryRecord.safeParse({
        ...theory,
        observationIds: Array.from({ length: 1000 }, (_, i) => `o${i}`),
      }).success,
    ).toBe(true);
    expect(
      TheoryRecord.safeParse({
        ...theory,
        observationIds: Array.from({ length: 1001 }, (_, i) => `o${i}`),
      }).success,
    ).toBe(false);
    const comms = {
      id: "c1",
      at,
      author: "a",
      audience: "internal",
      state: "draft",
      title: "",
      summary: "",
      currentStatus: [] as string[],
      nextSteps: [] as string[],
      nextUpdate: "",
      channel: "",
    };
    expect(CommsRecord.safeParse({ ...comms, nextSteps: Array(200).fill("step") }).success).toBe(
      true,
    );
    expect(
      CommsRecord.safeParse({ ...comms, currentStatus: Array(201).fill("line") }).success,
    ).toBe(false);
  });
});
