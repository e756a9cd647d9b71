import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, initIncident, readIncidentSummary } from "#shared/doc/index.ts";
import type { StoresHarness } from "./harness.ts";

/** The IncidentRegistry contract: keys, existence, the list with summaries and last activity. */
export function describeIncidentRegistry(h: StoresHarness): void {
  describe("IncidentRegistry", () => {
    it("allocates incident keys atomically, per prefix", async () => {
      const incidents = h.stores.incidents;
      const keys = await Promise.all(
        Array.from({ length: 20 }, () => incidents.createIncident("HOT")),
      );
      expect(new Set(keys).size).toBe(20);
      expect(keys.map((k) => Number(k.split("-")[1])).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(await incidents.createIncident("OPS")).toBe("OPS-1");
      expect(await incidents.incidentExists("HOT-20")).toBe(true);
      expect(await incidents.incidentExists("HOT-21")).toBe(false);
    });

    it("gives two processes declaring at once distinct keys", async () => {
      const a = h.stores;
      const b = await h.sibling();
      const keys = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i % 2 === 0 ? a : b).incidents.createIncident("HOT"),
        ),
      );
      expect(new Set(keys).size).toBe(100);
      expect(keys.map((k) => Number(k.split("-")[1])).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      expect((await a.incidents.listIncidents()).map((i) => i.key).sort()).toEqual(
        (await b.incidents.listIncidents()).map((i) => i.key).sort(),
      );
      expect(await b.incidents.incidentExists(keys[0])).toBe(true);
    });

    it("keeps counting across a reopen", async () => {
      expect(await h.stores.incidents.createIncident("HOT")).toBe("HOT-1");
      const reopened = await h.reopen();
      expect(await reopened.incidents.incidentExists("HOT-1")).toBe(true);
      expect(await reopened.incidents.createIncident("HOT")).toBe("HOT-2");
    });

    it("lists incidents with their cached summaries", async () => {
      const incidents = h.stores.incidents;
      const key = await incidents.createIncident("HOT", 1_700_000_000_000);
      expect(await incidents.listIncidents()).toEqual([
        { key, createdAt: 1_700_000_000_000, summary: null, lastActivityAt: 1_700_000_000_000 },
      ]);
      const doc = new Y.Doc();
      initIncident(doc, {
        key,
        summary: "Cache",
        severity: 2,
        actor: { name: "a", source: "api" },
      });
      await incidents.saveSummary(key, readIncidentSummary(doc));
      const [listed] = await incidents.listIncidents();
      expect(listed.summary).toMatchObject({ key, summary: "Cache", severity: 2, status: "new" });
    });

    it("lists each incident's last activity: its newest accepted update, even once compacted", async () => {
      const { incidents, log } = h.stores;
      const created = 1_700_000_000_000;
      const key = await incidents.createIncident("HOT", created);
      const other = await incidents.createIncident("HOT", created);
      const writer = new Y.Doc();
      const batch: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => batch.push(u));
      for (let i = 0; i < 6; i++) appendTimelineEntry(writer, { author: "t", text: `entry ${i}` });
      for (const [i, u] of batch.entries()) await log.appendUpdate(key, u, "test", created + i);
      const lastOf = async (k: string) =>
        (await incidents.listIncidents()).find((i) => i.key === k)?.lastActivityAt;
      expect(await lastOf(key)).toBe(created + 5);
      // An incident nobody has touched since it was declared: its creation.
      expect(await lastOf(other)).toBe(created);
      // Checkpointed and pruned down to nothing but the checkpoint, the time stays.
      await log.compact(key, { every: 1, keepMs: 1, now: created + 60_000 });
      expect(await lastOf(key)).toBe(created + 5);
    });
  });
}
