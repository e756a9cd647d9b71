import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  appendTimelineEntry,
  initIncident,
  readIncidentSummary,
  readTimeline,
} from "#shared/doc/index.ts";
import { type DocumentStore, HistoryCompactedError } from "../../server/storage/DocumentStore.ts";

/**
 * The behaviour every DocumentStore must have. Each implementation's test file
 * calls this with a factory that returns a fresh, empty store.
 */
export function describeDocumentStore(
  name: string,
  open: () => Promise<DocumentStore>,
  reopen?: (store: DocumentStore) => Promise<DocumentStore>,
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let store: DocumentStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Makes `count` separate updates, one timeline entry each, returning the updates in order. */
    function updates(count: number, doc = new Y.Doc(), prefix = "entry"): Uint8Array[] {
      const out: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => out.push(u));
      for (let i = 0; i < count; i++)
        appendTimelineEntry(doc, { author: "t", text: `${prefix} ${i}` });
      return out;
    }
    function restore(state: Uint8Array | null): Y.Doc {
      const doc = new Y.Doc();
      if (state) Y.applyUpdate(doc, state);
      return doc;
    }

    it("returns null for a document it has never seen", async () => {
      expect(await store.loadState("HOT-1")).toBeNull();
      expect(await store.historyStart("HOT-1")).toBeNull();
    });

    it("gives back every appended update, in a state equal to the writer's", async () => {
      const writer = new Y.Doc();
      const list = updates(25, writer);
      const seqs: number[] = [];
      for (const u of list) seqs.push(await store.appendUpdate("HOT-1", u, "test"));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(25);
      const doc = restore(await store.loadState("HOT-1"));
      expect(readTimeline(doc).map((e) => e.text)).toEqual(readTimeline(writer).map((e) => e.text));
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
    });

    it("keeps documents apart", async () => {
      for (const u of updates(3, new Y.Doc(), "a")) await store.appendUpdate("HOT-1", u, "test");
      for (const u of updates(2, new Y.Doc(), "b")) await store.appendUpdate("HOT-2", u, "test");
      expect(readTimeline(restore(await store.loadState("HOT-1")))).toHaveLength(3);
      expect(readTimeline(restore(await store.loadState("HOT-2")))).toHaveLength(2);
    });

    it("checkpoints after `every` updates without changing the state", async () => {
      const writer = new Y.Doc();
      for (const u of updates(30, writer)) await store.appendUpdate("HOT-1", u, "test");
      expect((await store.compact("HOT-1", { every: 50, keepMs: 0 })).checkpointSeq).toBeNull();
      const result = await store.compact("HOT-1", { every: 20, keepMs: 0 });
      expect(result.checkpointSeq).not.toBeNull();
      for (const u of updates(5, writer, "after")) await store.appendUpdate("HOT-1", u, "test");
      const doc = restore(await store.loadState("HOT-1"));
      expect(readTimeline(doc)).toHaveLength(35);
      expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(writer));
    });

    it("rebuilds the document as it stood at an instant", async () => {
      const writer = new Y.Doc();
      const list = updates(6, writer);
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < list.length; i++)
        await store.appendUpdate("HOT-1", list[i], "test", t0 + i * 1000);
      await store.compact("HOT-1", { every: 3, keepMs: 0, now: t0 + 10_000 });
      expect(await store.loadState("HOT-1", { at: t0 - 1 })).toBeNull();
      for (const [at, expected] of [
        [t0, 1],
        [t0 + 2500, 3],
        [t0 + 5000, 6],
        [t0 + 99_000, 6],
      ] as const) {
        expect(
          readTimeline(restore(await store.loadState("HOT-1", { at }))),
          `at +${at - t0}`,
        ).toHaveLength(expected);
      }
      expect(await store.historyStart("HOT-1")).toBe(t0);
    });

    it("prunes history older than the retention window and says where history starts", async () => {
      const writer = new Y.Doc();
      const t0 = 1_700_000_000_000;
      const day = 86_400_000;
      const list = updates(10, writer);
      for (let i = 0; i < 10; i++) await store.appendUpdate("HOT-1", list[i], "test", t0 + i * day);
      const result = await store.compact("HOT-1", {
        every: 1,
        keepMs: 3 * day,
        now: t0 + 10 * day,
      });
      expect(result.checkpointSeq).not.toBeNull();
      // The newest checkpoint is the only one and is inside the window: nothing to prune yet.
      expect(result.prunedUpdates).toBe(0);
      const later = updates(1, writer, "later");
      await store.appendUpdate("HOT-1", later[0], "test", t0 + 20 * day);
      const pruned = await store.compact("HOT-1", {
        every: 1,
        keepMs: 3 * day,
        now: t0 + 20 * day,
      });
      expect(pruned.prunedUpdates).toBeGreaterThan(0);
      const start = await store.historyStart("HOT-1");
      expect(start).toBe(t0 + 9 * day);
      await expect(store.loadState("HOT-1", { at: t0 + 2 * day })).rejects.toBeInstanceOf(
        HistoryCompactedError,
      );
      expect(
        readTimeline(restore(await store.loadState("HOT-1", { at: t0 + 9 * day }))),
      ).toHaveLength(10);
      expect(readTimeline(restore(await store.loadState("HOT-1")))).toHaveLength(11);
    });

    it("allocates incident keys atomically, per prefix", async () => {
      const keys = await Promise.all(Array.from({ length: 20 }, () => store.createIncident("HOT")));
      expect(new Set(keys).size).toBe(20);
      expect(keys.map((k) => Number(k.split("-")[1])).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(await store.createIncident("OPS")).toBe("OPS-1");
      expect(await store.incidentExists("HOT-20")).toBe(true);
      expect(await store.incidentExists("HOT-21")).toBe(false);
    });

    it("lists incidents with their cached summaries", async () => {
      const key = await store.createIncident("HOT", 1_700_000_000_000);
      expect(await store.listIncidents()).toEqual([
        { key, createdAt: 1_700_000_000_000, summary: null, lastActivityAt: 1_700_000_000_000 },
      ]);
      const doc = new Y.Doc();
      initIncident(doc, {
        key,
        summary: "Cache",
        severity: 2,
        actor: { name: "a", source: "api" },
      });
      await store.saveSummary(key, readIncidentSummary(doc));
      const [listed] = await store.listIncidents();
      expect(listed.summary).toMatchObject({ key, summary: "Cache", severity: 2, status: "new" });
    });

    it("lists each incident's last activity: its newest accepted update, even once compacted", async () => {
      const created = 1_700_000_000_000;
      const key = await store.createIncident("HOT", created);
      const other = await store.createIncident("HOT", created);
      const writer = new Y.Doc();
      const batch = updates(6, writer);
      for (const [i, u] of batch.entries()) await store.appendUpdate(key, u, "test", created + i);
      const lastOf = async (k: string) =>
        (await store.listIncidents()).find((i) => i.key === k)?.lastActivityAt;
      expect(await lastOf(key)).toBe(created + 5);
      // An incident nobody has touched since it was declared: its creation.
      expect(await lastOf(other)).toBe(created);
      // Checkpointed and pruned down to nothing but the checkpoint, the time stays.
      await store.compact(key, { every: 1, keepMs: 1, now: created + 60_000 });
      expect(await lastOf(key)).toBe(created + 5);
    });

    if (reopen) {
      it("keeps everything across a reopen", async () => {
        const writer = new Y.Doc();
        for (const u of updates(7, writer)) await store.appendUpdate("HOT-1", u, "test");
        await store.createIncident("HOT");
        store = await reopen(store);
        expect(readTimeline(restore(await store.loadState("HOT-1")))).toHaveLength(7);
        expect(await store.createIncident("HOT")).toBe("HOT-2");
      });
    }

    it("records, lists, revokes and reports minted tokens", async () => {
      const base = {
        role: "viewer" as const,
        name: "Support",
        createdBy: "admin",
        revokedAt: null,
        shared: false,
        parent: null,
      };
      await store.saveAccessToken({
        ...base,
        id: "t1",
        scope: "HOT-1",
        createdAt: 1000,
        expiresAt: 9000,
      });
      await store.saveAccessToken({
        ...base,
        id: "t2",
        scope: "HOT-2",
        createdAt: 2000,
        expiresAt: 9000,
      });
      await store.saveAccessToken({
        ...base,
        id: "t3",
        scope: "HOT-1",
        role: "responder",
        createdAt: 3000,
        expiresAt: 9000,
      });
      expect((await store.listAccessTokens()).map((t) => t.id)).toEqual(["t3", "t2", "t1"]);
      expect((await store.listAccessTokens("HOT-1")).map((t) => t.id)).toEqual(["t3", "t1"]);
      expect(await store.accessTokenStatus("t1")).toBe("active");
      expect(await store.accessTokenStatus("nope")).toBe("unknown");
      expect(await store.revokeAccessToken("t1", 5000)).toBe(true);
      expect(await store.revokeAccessToken("t1", 6000)).toBe(true);
      expect(await store.revokeAccessToken("nope")).toBe(false);
      expect(await store.accessTokenStatus("t1")).toBe("revoked");
      const [revoked] = (await store.listAccessTokens("HOT-1")).filter((t) => t.id === "t1");
      expect(revoked).toEqual({
        ...base,
        id: "t1",
        scope: "HOT-1",
        createdAt: 1000,
        expiresAt: 9000,
        revokedAt: 5000,
      });
    });

    it("revokes the personal links minted from a shared token with it, and only those", async () => {
      const base = {
        role: "responder" as const,
        name: "Team",
        scope: "HOT-1",
        createdBy: "admin",
        createdAt: 1000,
        expiresAt: 9000,
        revokedAt: null,
      };
      await store.saveAccessToken({ ...base, id: "team", shared: true, parent: null });
      await store.saveAccessToken({
        ...base,
        id: "ann",
        name: "Ann",
        shared: false,
        parent: "team",
      });
      await store.saveAccessToken({ ...base, id: "other", shared: false, parent: null });
      expect(await store.childTokens("team")).toEqual(["ann"]);
      const shared = (await store.listAccessTokens("HOT-1")).find((t) => t.id === "team");
      expect(shared).toMatchObject({ shared: true, parent: null });
      expect(await store.revokeAccessToken("team", 2000)).toBe(true);
      expect(await store.accessTokenStatus("ann")).toBe("revoked");
      expect(await store.accessTokenStatus("other")).toBe("active");
    });

    it("records, finds, revokes and lists browser sessions", async () => {
      const session = {
        id: "s1",
        secretHash: "ab".repeat(32),
        subject: "oidc:alice",
        name: "Alice",
        email: "alice@example.com",
        role: "responder" as const,
        scope: "*",
        tokenId: null,
        via: "oidc" as const,
        csrf: "c1",
        createdAt: 1000,
        expiresAt: 10_000,
        revokedAt: null,
      };
      expect(await store.findSession("s1")).toBeNull();
      await store.saveSession(session);
      await store.saveSession({
        ...session,
        id: "s2",
        createdAt: 2000,
        expiresAt: 3000,
        email: null,
        tokenId: "t1",
        via: "link",
      });
      expect(await store.findSession("s1")).toEqual(session);
      expect((await store.listSessions(2500)).map((s) => s.id)).toEqual(["s2", "s1"]);
      expect((await store.listSessions(5000)).map((s) => s.id)).toEqual(["s1"]);
      expect(await store.revokeSession("s1", 4000)).toBe(true);
      expect(await store.revokeSession("s1", 4500)).toBe(true);
      expect(await store.revokeSession("nope")).toBe(false);
      expect((await store.findSession("s1"))?.revokedAt).toBe(4000);
    });

    it("remembers signed-in people and finds them by email, whatever its case", async () => {
      expect(await store.findPersonByEmail("bob@example.com")).toBeNull();
      await store.savePerson({
        subject: "oidc:bob",
        name: "Bob",
        email: "Bob@Example.com",
        updatedAt: 1,
      });
      await store.savePerson({
        subject: "oidc:bob",
        name: "Bob Baker",
        email: "bob@example.com",
        updatedAt: 2,
      });
      expect(await store.findPersonByEmail("BOB@example.COM")).toEqual({
        subject: "oidc:bob",
        name: "Bob Baker",
        email: "bob@example.com",
        updatedAt: 2,
      });
    });

    it("links chat rooms to incidents, one incident per room", async () => {
      const link = {
        platform: "slack",
        channel: "C1",
        incident: "HOT-1",
        webhookUrl: "https://hooks.example/1",
        createdAt: 1,
        createdBy: "a",
      };
      expect(await store.findChannelLink("slack", "C1")).toBeNull();
      await store.linkChannel(link);
      expect(await store.findChannelLink("slack", "C1")).toEqual(link);
      // Linking again without a webhook keeps the room's webhook while it stays with the same incident.
      await store.linkChannel({ ...link, webhookUrl: null, createdAt: 2 });
      expect((await store.findChannelLink("slack", "C1"))?.webhookUrl).toBe(
        "https://hooks.example/1",
      );
      // Moving the room to another incident drops the old webhook.
      await store.linkChannel({ ...link, incident: "HOT-2", webhookUrl: null, createdAt: 3 });
      expect(await store.findChannelLink("slack", "C1")).toMatchObject({
        incident: "HOT-2",
        webhookUrl: null,
      });
      await store.linkChannel({
        ...link,
        platform: "matrix",
        channel: "!room:example.org",
        incident: "HOT-2",
        createdAt: 4,
      });
      expect((await store.listChannelLinks("HOT-2")).map((l) => l.platform)).toEqual([
        "slack",
        "matrix",
      ]);
      expect(await store.listChannelLinks("HOT-1")).toEqual([]);
    });

    it("remembers a room's name and when it got it, changing that time only when the name changes", async () => {
      expect(await store.recordRoomName("mattermost", "ch1", null)).toBeNull();
      expect(await store.recordRoomName("mattermost", "ch1", "hot-1", 100)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await store.recordRoomName("mattermost", "ch1", "hot-1", 200)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await store.recordRoomName("mattermost", "ch1", null)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await store.recordRoomName("mattermost", "ch1", "hot-2", 300)).toEqual({
        name: "hot-2",
        namedAt: 300,
      });
      expect(await store.recordRoomName("matrix", "ch1", null)).toBeNull();
    });

    it("records a chat transaction once: the first digest stays, across a reopen", async () => {
      expect(await store.recordChatTransaction("matrix", "35", null)).toBeNull();
      expect(await store.recordChatTransaction("matrix", "35", "aaa", 10)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
      expect(await store.recordChatTransaction("matrix", "35", "bbb", 20)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
      expect(await store.recordChatTransaction("slack", "35", null)).toBeNull();
      if (reopen) store = await reopen(store);
      expect(await store.recordChatTransaction("matrix", "35", null)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
    });

    it("rebuilds a long tail exactly, now and at every instant, across several incremental checkpoints", async () => {
      const writer = new Y.Doc();
      const list = updates(400, writer);
      const t0 = 1_700_000_000_000;
      const stateAt: number[] = [];
      for (let i = 0; i < list.length; i++) {
        await store.appendUpdate("HOT-1", list[i], "test", t0 + i * 1000);
        // Checkpoints at several points: each one is the previous one plus the updates since.
        if (i === 99 || i === 249)
          await store.compact("HOT-1", { every: 10, keepMs: 0, now: t0 + i * 1000 });
        stateAt.push(i + 1);
      }
      expect(Y.encodeStateVector(restore(await store.loadState("HOT-1")))).toEqual(
        Y.encodeStateVector(writer),
      );
      for (const i of [0, 63, 64, 99, 100, 180, 249, 250, 399]) {
        const doc = restore(await store.loadState("HOT-1", { at: t0 + i * 1000 }));
        expect(
          readTimeline(doc)
            .map((e) => e.text)
            .sort(),
          `at update ${i}`,
        ).toEqual(Array.from({ length: stateAt[i] }, (_, n) => `entry ${n}`).sort());
      }
      await store.compact("HOT-1", { every: 10, keepMs: 0, now: t0 + 500_000 });
      expect(readTimeline(restore(await store.loadState("HOT-1")))).toHaveLength(400);
    });

    it("keeps a checkpoint larger than a megabyte whole", async () => {
      const writer = new Y.Doc();
      const big = "0123456789abcdef".repeat(2500); // 40,000 characters, the largest entry text
      const list: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => list.push(u));
      for (let i = 0; i < 60; i++)
        appendTimelineEntry(writer, { author: "t", text: `${i} ${big}`.slice(0, 40_000) });
      for (const u of list) await store.appendUpdate("HOT-1", u, "test");
      const result = await store.compact("HOT-1", { every: 10, keepMs: 0 });
      expect(result.checkpointSeq).not.toBeNull();
      const doc = restore(await store.loadState("HOT-1"));
      expect(Y.encodeStateAsUpdate(doc)).toEqual(
        Y.encodeStateAsUpdate(restore(Y.encodeStateAsUpdate(writer))),
      );
      expect(readTimeline(doc)).toHaveLength(60);
    });

    it("compacts a large document without blocking the caller's event loop", async () => {
      const writer = new Y.Doc();
      const list: Uint8Array[] = [];
      writer.on("update", (u: Uint8Array) => list.push(u));
      const text = "x".repeat(3000);
      for (let i = 0; i < 2500; i++)
        appendTimelineEntry(writer, { author: "t", text: `${i} ${text}` }); // ~8 MB
      for (const u of list) await store.appendUpdate("HOT-1", u, "test");
      let longestGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 5);
      try {
        last = performance.now();
        const result = await store.compact("HOT-1", { every: 10, keepMs: 0 });
        // A store that blocked synchronously inside compact() gave the ticker no turn at all.
        longestGap = Math.max(longestGap, performance.now() - last);
        expect(result.checkpointSeq).not.toBeNull();
      } finally {
        clearInterval(ticker);
      }
      // The old store merged the whole document on the caller's thread: ~300 ms here (this one: ~10 ms).
      expect(longestGap).toBeLessThan(150);
      expect(readTimeline(restore(await store.loadState("HOT-1")))).toHaveLength(2500);
    }, 30_000);

    it("answers a ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
