import { describe, expect, it } from "vitest";
import type { StoresHarness } from "./harness.ts";

/** The ChatRoomStore contract: room links, room names, applied transactions and delivery claims. */
export function describeChatRooms(h: StoresHarness): void {
  describe("ChatRoomStore", () => {
    it("links chat rooms to incidents, one incident per room", async () => {
      const chat = h.stores.chat;
      const link = {
        platform: "slack",
        channel: "C1",
        incident: "HOT-1",
        webhookUrl: "https://hooks.example/1",
        createdAt: 1,
        createdBy: "a",
      };
      expect(await chat.findChannelLink("slack", "C1")).toBeNull();
      await chat.linkChannel(link);
      expect(await chat.findChannelLink("slack", "C1")).toEqual(link);
      // Linking again without a webhook keeps the room's webhook while it stays with the same incident.
      await chat.linkChannel({ ...link, webhookUrl: null, createdAt: 2 });
      expect((await chat.findChannelLink("slack", "C1"))?.webhookUrl).toBe(
        "https://hooks.example/1",
      );
      // Moving the room to another incident drops the old webhook.
      await chat.linkChannel({ ...link, incident: "HOT-2", webhookUrl: null, createdAt: 3 });
      expect(await chat.findChannelLink("slack", "C1")).toMatchObject({
        incident: "HOT-2",
        webhookUrl: null,
      });
      await chat.linkChannel({
        ...link,
        platform: "matrix",
        channel: "!room:example.org",
        incident: "HOT-2",
        createdAt: 4,
      });
      expect((await chat.listChannelLinks("HOT-2")).map((l) => l.platform)).toEqual([
        "slack",
        "matrix",
      ]);
      expect(await chat.listChannelLinks("HOT-1")).toEqual([]);
    });

    it("remembers a room's name and when it got it, changing that time only when the name changes", async () => {
      const chat = h.stores.chat;
      expect(await chat.recordRoomName("mattermost", "ch1", null)).toBeNull();
      expect(await chat.recordRoomName("mattermost", "ch1", "hot-1", 100)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await chat.recordRoomName("mattermost", "ch1", "hot-1", 200)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await chat.recordRoomName("mattermost", "ch1", null)).toEqual({
        name: "hot-1",
        namedAt: 100,
      });
      expect(await chat.recordRoomName("mattermost", "ch1", "hot-2", 300)).toEqual({
        name: "hot-2",
        namedAt: 300,
      });
      expect(await chat.recordRoomName("matrix", "ch1", null)).toBeNull();
    });

    it("records a chat transaction once: the first digest stays, across a reopen", async () => {
      const chat = h.stores.chat;
      expect(await chat.recordChatTransaction("matrix", "35", null)).toBeNull();
      expect(await chat.recordChatTransaction("matrix", "35", "aaa", 10)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
      expect(await chat.recordChatTransaction("matrix", "35", "bbb", 20)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
      expect(await chat.recordChatTransaction("slack", "35", null)).toBeNull();
      const reopened = await h.reopen();
      expect(await reopened.chat.recordChatTransaction("matrix", "35", null)).toEqual({
        digest: "aaa",
        appliedAt: 10,
      });
    });

    describe("delivery claims", () => {
      const lease = 5000;

      it("lets the first holder claim a delivery, renew its claim, and keeps others waiting", async () => {
        const chat = h.stores.chat;
        expect(await chat.claimDelivery("slack:C1:1", "p1", lease, 1000)).toBe("claimed");
        expect(await chat.claimDelivery("slack:C1:1", "p1", lease, 2000)).toBe("claimed");
        expect(await chat.claimDelivery("slack:C1:1", "p2", lease, 3000)).toBe("pending");
        // Another delivery is claimed on its own.
        expect(await chat.claimDelivery("slack:C1:2", "p2", lease, 3000)).toBe("claimed");
      });

      it("says done to every later claim once the holder finished, across a reopen", async () => {
        const chat = h.stores.chat;
        expect(await chat.claimDelivery("k", "p1", lease, 1000)).toBe("claimed");
        // A holder that lost its lease cannot finish someone else's claim.
        await chat.finishDelivery("k", "p2", 1500);
        expect(await chat.claimDelivery("k", "p2", lease, 1600)).toBe("pending");
        await chat.finishDelivery("k", "p1", 2000);
        expect(await chat.claimDelivery("k", "p2", lease, 2100)).toBe("done");
        expect(await chat.claimDelivery("k", "p1", lease, 2100)).toBe("done");
        // Long after the lease: still done, and releasing a finished delivery changes nothing.
        await chat.releaseDelivery("k", "p1");
        expect(await chat.claimDelivery("k", "p2", lease, 60_000)).toBe("done");
        const reopened = await h.reopen();
        expect(await reopened.chat.claimDelivery("k", "p3", lease, 60_000)).toBe("done");
      });

      it("hands a delivery whose lease ran out to the next claimant", async () => {
        const chat = h.stores.chat;
        expect(await chat.claimDelivery("k", "p1", lease, 1000)).toBe("claimed");
        expect(await chat.claimDelivery("k", "p2", lease, 1000 + lease - 1)).toBe("pending");
        expect(await chat.claimDelivery("k", "p2", lease, 1000 + lease)).toBe("claimed");
        // The old holder is now the one waiting, and can neither finish nor release.
        expect(await chat.claimDelivery("k", "p1", lease, 1000 + lease + 1)).toBe("pending");
        await chat.finishDelivery("k", "p1", 1000 + lease + 2);
        await chat.releaseDelivery("k", "p1");
        expect(await chat.claimDelivery("k", "p3", lease, 1000 + lease + 3)).toBe("pending");
        await chat.finishDelivery("k", "p2", 1000 + lease + 4);
        expect(await chat.claimDelivery("k", "p3", lease, 1000 + lease + 5)).toBe("done");
      });

      it("lets a retry claim a released delivery at once", async () => {
        const chat = h.stores.chat;
        expect(await chat.claimDelivery("k", "p1", lease, 1000)).toBe("claimed");
        await chat.releaseDelivery("k", "p2");
        expect(await chat.claimDelivery("k", "p2", lease, 1001)).toBe("pending");
        await chat.releaseDelivery("k", "p1");
        expect(await chat.claimDelivery("k", "p2", lease, 1002)).toBe("claimed");
      });

      it("gives a delivery reaching two processes at once to exactly one of them", async () => {
        const other = await h.sibling();
        const now = Date.now();
        const keys = Array.from({ length: 20 }, (_, i) => `slack:C1:${i}`);
        const results = await Promise.all(
          keys.flatMap((key) => [
            h.stores.chat.claimDelivery(key, "p1", lease, now),
            other.chat.claimDelivery(key, "p2", lease, now),
          ]),
        );
        for (let i = 0; i < keys.length; i++) {
          const pair = [results[2 * i], results[2 * i + 1]].sort();
          expect(pair, keys[i]).toEqual(["claimed", "pending"]);
        }
        // Each finished by its holder: both processes then say done.
        for (let i = 0; i < keys.length; i++) {
          const holder = results[2 * i] === "claimed" ? h.stores : other;
          await holder.chat.finishDelivery(keys[i], holder === other ? "p2" : "p1", now + 1);
        }
        for (const key of keys) {
          expect(await h.stores.chat.claimDelivery(key, "p1", lease, now + 2)).toBe("done");
          expect(await other.chat.claimDelivery(key, "p2", lease, now + 2)).toBe("done");
        }
      });
    });
  });
}
