import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "#shared/doc/index.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";
import { connectProvider, whenSynced } from "../helpers/clients.ts";

describe("a page left open across an upgrade", () => {
  const suite = browserSuite();

  it("asks for a reload once the incident is written by a newer hotdoc, and not before", async () => {
    const { key } = (
      await suite.server.api("POST", "/api/incidents", { summary: "Upgrade", severity: 3 })
    ).body as { key: string };
    const page = await openIncident(suite, key, { role: "viewer", name: "Stakeholder" });
    await expect
      .poll(() => page.getByTestId("incident-page").getByRole("heading").count())
      .toBeGreaterThan(0);
    expect(await page.getByTestId("newer-version-notice").count()).toBe(0);

    // A newer server migrates the document past the version this page's code knows.
    const provider = connectProvider(suite.server.wsUrl, key, suite.server.token);
    try {
      await whenSynced(provider);
      provider.document.getMap("meta").set("schemaVersion", SCHEMA_VERSION + 1);
      const notice = page.getByTestId("newer-version-notice");
      await notice.waitFor({ timeout: 5000 });
      expect(await notice.getByRole("button", { name: "Reload" }).isVisible()).toBe(true);
    } finally {
      provider.destroy();
      await page.context().close();
    }
  });
});
