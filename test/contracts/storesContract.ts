import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Stores } from "../../server/storage/stores.ts";
import { describeAccessTokens } from "./accessTokens.contract.ts";
import { describeChatRooms } from "./chatRooms.contract.ts";
import type { StoresHarness } from "./harness.ts";
import { describeIncidentRegistry } from "./incidentRegistry.contract.ts";
import { describeSessions } from "./sessions.contract.ts";
import { describeSettings } from "./settings.contract.ts";
import { describeUpdateLog } from "./updateLog.contract.ts";

export interface StoresFactory {
  /** A fresh, empty set of stores. */
  open(): Promise<Stores>;
  /** Closes `stores` and opens the same database again. */
  reopen(stores: Stores): Promise<Stores>;
  /** A second, independent set of stores on the same database (another process's view), without closing the first. */
  sibling(stores: Stores): Promise<Stores>;
}

/**
 * The behaviour every implementation of the stores must have: each interface's suite,
 * run on a fresh database per test. Each implementation's test file calls this once.
 */
export function describeStores(name: string, factory: StoresFactory): void {
  describe(`Stores contract: ${name}`, () => {
    let current: Stores | null = null;
    let siblings: Stores[] = [];
    const harness: StoresHarness = {
      get stores() {
        if (!current) throw new Error("no stores open outside a test");
        return current;
      },
      async reopen() {
        current = await factory.reopen(harness.stores);
        return current;
      },
      async sibling() {
        const other = await factory.sibling(harness.stores);
        siblings.push(other);
        return other;
      },
    };
    beforeEach(async () => {
      current = await factory.open();
    });
    afterEach(async () => {
      const open = [...siblings, ...(current ? [current] : [])];
      siblings = [];
      current = null;
      await Promise.all(open.map((stores) => stores.close()));
    });

    describe("Stores", () => {
      it("is at a schema version of at least 1, the same after a reopen and from a sibling", async () => {
        const version = await harness.stores.schemaVersion();
        expect(Number.isInteger(version) && version >= 1).toBe(true);
        const other = await harness.sibling();
        expect(await other.schemaVersion()).toBe(version);
        expect(await (await harness.reopen()).schemaVersion()).toBe(version);
      });

      it("answers a ping", async () => {
        await expect(harness.stores.ping()).resolves.toBeUndefined();
      });
    });
    describeUpdateLog(harness);
    describeIncidentRegistry(harness);
    describeAccessTokens(harness);
    describeSessions(harness);
    describeChatRooms(harness);
    describeSettings(harness);
  });
}
