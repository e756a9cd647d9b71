import { describe, expect, it } from "vitest";
import { launchChromium, waitOnline } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/testServer.ts";

/** The incident page's own code is a separate chunk, loaded without Suspense (client/src/incidentPageCode.ts). */
describe("the incident page's code", () => {
  it("says so, with a reload, when it cannot be loaded, and opens the page once it can", async () => {
    const server = await startTestServer();
    const browser = await launchChromium();
    try {
      const key = (await server.api("POST", "/api/incidents", { summary: "Chunk", severity: 3 }))
        .body.key;
      const link = await server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Ana",
      });
      const page = await (await browser.newContext()).newPage();
      const chunk = /\/assets\/IncidentPage-[^/]*\.js$/;
      await page.route(chunk, (route) => route.abort("connectionreset"));
      await page.goto(link.body.url);
      const failed = page.getByTestId("page-code-failed");
      await failed.waitFor({ timeout: 10_000 });
      expect(await failed.innerText()).toContain("could not be loaded");

      await page.unroute(chunk);
      await failed.getByRole("button", { name: "Reload" }).click();
      await waitOnline(page);
      expect(await page.getByTestId("page-code-failed").count()).toBe(0);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
