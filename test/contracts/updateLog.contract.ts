import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, readTimeline } from "#shared/doc/index.ts";
import { HistoryCompactedError } from "../../server/storage/records.ts";
import type { Stores } from "../../server/storage/stores.ts";
import { longestEventLoopGap } from "../helpers/eventLoopGap.ts";
import { restoreDoc, timelineUpdates } from "../helpers/timelineUpdates.ts";
import type { StoresHarness } from "./harness.ts";

/** The UpdateLogStore contract: appends, loads (now and at an instant), compaction and pruning. */
export function describeUpdateLog(h: StoresHarness): void {
  describe("UpdateLogStore", () => {
    it("returns null for a document it has never seen", async () => {
      expect(await h.stores.log.loadState("HOT-1")).toBeNull();
      expect(await h.stores.log.historyStart("HOT-1")).toBeNull();
    });

    it("gives back every appended update, in a state equal to the writer's", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const list = timelineUpdates(25, writer);
      const seqs: number[] = [];
      for (const u of list) seqs.push(await log.appendUpdate("HOT-1", u, "test"));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(25);
      const doc = restoreDoc(await log.loadState("HOT-1"));
      expect(readTimeline(doc).map((e) => e.text)).toEqual(readTimeline(writer).map((e) => e.text));
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
    });

    it("keeps documents apart, and lists every stored document once", async () => {
      const log = h.stores.log;
      expect(await log.listDocuments()).toEqual([]);
      for (const u of timelineUpdates(3, new Y.Doc(), "a"))
        await log.appendUpdate("HOT-1", u, "test");
      for (const u of timelineUpdates(2, new Y.Doc(), "b"))
        await log.appendUpdate("HOT-2", u, "test");
      expect(readTimeline(restoreDoc(await log.loadState("HOT-1")))).toHaveLength(3);
      expect(readTimeline(restoreDoc(await log.loadState("HOT-2")))).toHaveLength(2);
      expect((await log.listDocuments()).sort()).toEqual(["HOT-1", "HOT-2"]);
    });

    it("lists a document whose updates were all folded into a checkpoint", async () => {
      const log = h.stores.log;
      const t0 = 1_700_000_000_000;
      const list = timelineUpdates(5);
      for (const [i, u] of list.entries()) await log.appendUpdate("HOT-7", u, "test", t0 + i);
      const result = await log.compact("HOT-7", { every: 1, keepMs: 1, now: t0 + 60_000 });
      expect(result.checkpointSeq).not.toBeNull();
      expect(result.prunedUpdates).toBe(5);
      expect(await log.listDocuments()).toEqual(["HOT-7"]);
      expect(readTimeline(restoreDoc(await log.loadState("HOT-7")))).toHaveLength(5);
    });

    it("checkpoints after `every` updates without changing the state", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      for (const u of timelineUpdates(30, writer)) await log.appendUpdate("HOT-1", u, "test");
      expect((await log.compact("HOT-1", { every: 50, keepMs: 0 })).checkpointSeq).toBeNull();
      const result = await log.compact("HOT-1", { every: 20, keepMs: 0 });
      expect(result.checkpointSeq).not.toBeNull();
      for (const u of timelineUpdates(5, writer, "after"))
        await log.appendUpdate("HOT-1", u, "test");
      const doc = restoreDoc(await log.loadState("HOT-1"));
      expect(readTimeline(doc)).toHaveLength(35);
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
    });

    it("gives the same state unmerged: a checkpoint and the updates after it, applied in order", async () => {
      const log = h.stores.log;
      expect(await log.loadParts("HOT-1")).toBeNull();
      const writer = new Y.Doc();
      for (const u of timelineUpdates(30, writer)) await log.appendUpdate("HOT-1", u, "test");
      expect((await log.compact("HOT-1", { every: 20, keepMs: 0 })).checkpointSeq).not.toBeNull();
      for (const u of timelineUpdates(4, writer, "after"))
        await log.appendUpdate("HOT-1", u, "test");
      const parts = (await log.loadParts("HOT-1")) as Uint8Array[];
      // The checkpoint, then each of the four updates appended after it, not merged.
      expect(parts).toHaveLength(5);
      const doc = new Y.Doc();
      for (const part of parts) Y.applyUpdate(doc, part);
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
      expect(readTimeline(doc).map((e) => e.text)).toEqual(readTimeline(writer).map((e) => e.text));
      expect(Y.encodeStateAsUpdate(doc)).toEqual(
        Y.encodeStateAsUpdate(restoreDoc(await log.loadState("HOT-1"))),
      );
    });

    it("rebuilds the document as it stood at an instant", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const list = timelineUpdates(6, writer);
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < list.length; i++)
        await log.appendUpdate("HOT-1", list[i], "test", t0 + i * 1000);
      await log.compact("HOT-1", { every: 3, keepMs: 0, now: t0 + 10_000 });
      expect(await log.loadState("HOT-1", { at: t0 - 1 })).toBeNull();
      for (const [at, expected] of [
        [t0, 1],
        [t0 + 2500, 3],
        [t0 + 5000, 6],
        [t0 + 99_000, 6],
      ] as const) {
        expect(
          readTimeline(restoreDoc(await log.loadState("HOT-1", { at }))),
          `at +${at - t0}`,
        ).toHaveLength(expected);
      }
      expect(await log.historyStart("HOT-1")).toBe(t0);
    });

    it("prunes history older than the retention window and says where history starts", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const t0 = 1_700_000_000_000;
      const day = 86_400_000;
      const list = timelineUpdates(10, writer);
      for (let i = 0; i < 10; i++) await log.appendUpdate("HOT-1", list[i], "test", t0 + i * day);
      const result = await log.compact("HOT-1", { every: 1, keepMs: 3 * day, now: t0 + 10 * day });
      expect(result.checkpointSeq).not.toBeNull();
      // The newest checkpoint is the only one and is inside the window: nothing to prune yet.
      expect(result.prunedUpdates).toBe(0);
      const later = timelineUpdates(1, writer, "later");
      await log.appendUpdate("HOT-1", later[0], "test", t0 + 20 * day);
      const pruned = await log.compact("HOT-1", { every: 1, keepMs: 3 * day, now: t0 + 20 * day });
      expect(pruned.prunedUpdates).toBeGreaterThan(0);
      expect(await log.historyStart("HOT-1")).toBe(t0 + 9 * day);
      await expect(log.loadState("HOT-1", { at: t0 + 2 * day })).rejects.toBeInstanceOf(
        HistoryCompactedError,
      );
      expect(
        readTimeline(restoreDoc(await log.loadState("HOT-1", { at: t0 + 9 * day }))),
      ).toHaveLength(10);
      expect(readTimeline(restoreDoc(await log.loadState("HOT-1")))).toHaveLength(11);
    });

    it("keeps every update across a reopen", async () => {
      const writer = new Y.Doc();
      for (const u of timelineUpdates(7, writer))
        await h.stores.log.appendUpdate("HOT-1", u, "test");
      const reopened = await h.reopen();
      expect(readTimeline(restoreDoc(await reopened.log.loadState("HOT-1")))).toHaveLength(7);
      expect(await reopened.log.listDocuments()).toEqual(["HOT-1"]);
    });

    it("rebuilds a long tail exactly, now and at every instant, across several incremental checkpoints", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const list = timelineUpdates(400, writer);
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < list.length; i++) {
        await log.appendUpdate("HOT-1", list[i], "test", t0 + i * 1000);
        // Checkpoints at several points: each one is the previous one plus the updates since.
        if (i === 99 || i === 249)
          await log.compact("HOT-1", { every: 10, keepMs: 0, now: t0 + i * 1000 });
      }
      expect(Y.encodeStateVector(restoreDoc(await log.loadState("HOT-1")))).toEqual(
        Y.encodeStateVector(writer),
      );
      for (const i of [0, 63, 64, 99, 100, 180, 249, 250, 399]) {
        const doc = restoreDoc(await log.loadState("HOT-1", { at: t0 + i * 1000 }));
        expect(
          readTimeline(doc)
            .map((e) => e.text)
            .sort(),
          `at update ${i}`,
        ).toEqual(Array.from({ length: i + 1 }, (_, n) => `entry ${n}`).sort());
      }
      await log.compact("HOT-1", { every: 10, keepMs: 0, now: t0 + 500_000 });
      expect(readTimeline(restoreDoc(await log.loadState("HOT-1")))).toHaveLength(400);
    });

    it("keeps a checkpoint larger than a megabyte whole", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const big = "0123456789abcdef".repeat(2500); // 40,000 characters, the largest entry text
      const list: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => list.push(u));
      for (let i = 0; i < 60; i++)
        appendTimelineEntry(writer, { author: "t", text: `${i} ${big}`.slice(0, 40_000) });
      for (const u of list) await log.appendUpdate("HOT-1", u, "test");
      const result = await log.compact("HOT-1", { every: 10, keepMs: 0 });
      expect(result.checkpointSeq).not.toBeNull();
      const doc = restoreDoc(await log.loadState("HOT-1"));
      expect(Y.encodeStateAsUpdate(doc)).toEqual(
        Y.encodeStateAsUpdate(restoreDoc(Y.encodeStateAsUpdate(writer))),
      );
      expect(readTimeline(doc)).toHaveLength(60);
    });

    it("keeps one whole checkpoint when two processes compact a large document at once", async () => {
      const a = h.stores;
      const b = await h.sibling();
      const writer = new Y.Doc();
      const list: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => list.push(u));
      const big = "0123456789abcdef".repeat(2500);
      for (let i = 0; i < 80; i++)
        appendTimelineEntry(writer, { author: "t", text: `${i} ${big}`.slice(0, 40_000) }); // ~3 MB
      for (const u of list) await a.log.appendUpdate("HOT-1", u, "test");
      const results = await Promise.all(
        [a, b].map((s) => s.log.compact("HOT-1", { every: 10, keepMs: 0 })),
      );
      expect(results.some((r) => r.checkpointSeq !== null)).toBe(true);
      const expected = Y.encodeStateVector(writer);
      const check = async (stores: Stores) => {
        const doc = restoreDoc(await stores.log.loadState("HOT-1"));
        expect(readTimeline(doc)).toHaveLength(80);
        expect(Y.encodeStateVector(doc)).toEqual(expected);
      };
      await check(a);
      await check(b);
      await check(await h.reopen());
    }, 30_000);

    it("compacts a large document without blocking the caller's event loop", async () => {
      const log = h.stores.log;
      const writer = new Y.Doc();
      const list: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => list.push(u));
      const text = "x".repeat(3000);
      for (let i = 0; i < 2500; i++)
        appendTimelineEntry(writer, { author: "t", text: `${i} ${text}` }); // ~8 MB
      for (const u of list) await log.appendUpdate("HOT-1", u, "test");
      const { result, gapMs: longestGap } = await longestEventLoopGap(() =>
        log.compact("HOT-1", { every: 10, keepMs: 0 }),
      );
      expect(result.checkpointSeq).not.toBeNull();
      // Merging the whole document on the caller's thread took ~300 ms here (off it: ~10 ms).
      expect(longestGap).toBeLessThan(150);
      expect(readTimeline(restoreDoc(await log.loadState("HOT-1")))).toHaveLength(2500);
    }, 30_000);

    it("loses nothing when two processes append to one document and compact it at the same time", async () => {
      const a = h.stores;
      const b = await h.sibling();
      const t0 = 1_700_000_000_000;
      const rounds = 300;
      const writerA = new Y.Doc();
      const writerB = new Y.Doc();
      const fromA = timelineUpdates(rounds, writerA, "a");
      const fromB = timelineUpdates(rounds, writerB, "b");
      const compactions: Promise<unknown>[] = [];
      for (let i = 0; i < rounds; i++) {
        await Promise.all([
          a.log.appendUpdate("HOT-1", fromA[i], "a", t0 + i),
          b.log.appendUpdate("HOT-1", fromB[i], "b", t0 + i),
        ]);
        // Both compact (and prune everything a checkpoint covers) while the appends go on.
        if (i % 15 === 14)
          for (const stores of [a, b])
            compactions.push(stores.log.compact("HOT-1", { every: 5, keepMs: 1, now: t0 + i }));
      }
      await Promise.all(compactions);
      await Promise.all(
        [a, b].map((s) => s.log.compact("HOT-1", { every: 1, keepMs: 1, now: t0 + rounds })),
      );
      const expected = new Y.Doc();
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(writerA));
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(writerB));
      for (const stores of [a, b]) {
        const doc = restoreDoc(await stores.log.loadState("HOT-1"));
        expect(readTimeline(doc)).toHaveLength(2 * rounds);
        expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(expected));
      }
      const reopened = await h.reopen();
      const doc = restoreDoc(await reopened.log.loadState("HOT-1"));
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(expected));
    }, 60_000);
  });
}
