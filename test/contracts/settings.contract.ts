import { describe, expect, it } from "vitest";
import type { StoresHarness } from "./harness.ts";

/** The SharedSettings contract: the first value stored under a name is everyone's. */
export function describeSettings(h: StoresHarness): void {
  describe("SharedSettings", () => {
    it("keeps the first value proposed for a name, across a reopen", async () => {
      expect(await h.stores.settings.claimSetting("team-link", "first")).toBe("first");
      expect(await h.stores.settings.claimSetting("team-link", "second")).toBe("first");
      expect(await h.stores.settings.claimSetting("other", "x")).toBe("x");
      const reopened = await h.reopen();
      expect(await reopened.settings.claimSetting("team-link", "third")).toBe("first");
    });

    it("gives two processes claiming a name at once the same value", async () => {
      const other = await h.sibling();
      const [a, b] = await Promise.all([
        h.stores.settings.claimSetting("team-link", "from-a"),
        other.settings.claimSetting("team-link", "from-b"),
      ]);
      expect(a).toBe(b);
      expect(["from-a", "from-b"]).toContain(a);
      expect(await other.settings.claimSetting("team-link", "later")).toBe(a);
    });
  });
}
