import { beforeAll, describe, expect, it } from "vitest";
import { addObservation } from "#shared/doc/index.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/**
 * The page's four in-place editors (a one-line field, a time, the summary, a record's
 * text) share one way of editing: a draft while typing, saved on Enter or on leaving
 * (Ctrl/Cmd+Enter for a record's text), dropped on Escape, and a refused save shows
 * what the write threw. Each is driven here in Chromium against a real server, and
 * what the server holds is read back after every step.
 */
describe("editing in place in a real browser", () => {
  const suite = browserSuite();
  let key: string;

  beforeAll(async () => {
    key = (
      await suite.server.api("POST", "/api/incidents", {
        summary: "Checkout fails for EU customers",
        severity: 2,
        service: "payments-api",
        products: ["Web shop"],
      })
    ).body.key;
  });

  const stored = async () => (await suite.server.api("GET", `/api/incidents/${key}`)).body;

  const open = () =>
    openIncident(suite, key, { role: "responder", name: "Alice", timezoneId: "UTC" });

  it("a one-line field saves on Enter and on leaving, drops the draft on Escape, and shows a refusal with the document's value", async () => {
    const page = await open();
    const service = page.getByTestId("header-service");
    await service.fill("billing-api");
    await service.press("Enter");
    await expect.poll(async () => (await stored()).service).toBe("billing-api");

    await service.fill("typo-service");
    await service.press("Escape");
    expect(await service.inputValue()).toBe("billing-api");

    await service.fill("ledger");
    await page.getByTestId("quick-add-text").click();
    await expect.poll(async () => (await stored()).service).toBe("ledger");

    // 51 products are more than an incident may name: refused, nothing written.
    const products = page.getByTestId("header-products");
    await products.fill(Array.from({ length: 51 }, (_, i) => `p${i}`).join(", "));
    await products.press("Enter");
    const error = page.getByTestId("header-products-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toMatch(/^Products: /);
    expect(await products.getAttribute("aria-invalid")).toBe("true");
    expect(await products.inputValue()).toBe("Web shop");
    // Typing again takes the complaint away; the next save goes through.
    await products.fill("Web shop, Mobile app");
    await error.waitFor({ state: "detached", timeout: 2000 });
    await products.press("Enter");
    await expect.poll(async () => (await stored()).products).toEqual(["Web shop", "Mobile app"]);
    // Leaving the other fields untouched wrote nothing over them.
    expect((await stored()).service).toBe("ledger");
    expect((await stored()).assessment.customersSeeing).toBe("");
    await page.context().close();
  });

  it("the summary saves on Enter, Escape restores it, and an emptied summary is refused and restored", async () => {
    const page = await open();
    const summary = page.getByTestId("header-summary");
    await summary.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Checkout   down in EU ");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await stored()).summary).toBe("Checkout down in EU");
    expect(await summary.innerText()).toBe("Checkout down in EU");

    await summary.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("not this");
    await page.keyboard.press("Escape");
    expect(await summary.innerText()).toBe("Checkout down in EU");

    await summary.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Enter");
    const error = page.getByTestId("header-summary-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toBe("Summary is required");
    expect(await summary.innerText()).toBe("Checkout down in EU");
    // Editing again starts without the old complaint.
    await summary.click();
    await error.waitFor({ state: "detached", timeout: 2000 });
    expect((await stored()).summary).toBe("Checkout down in EU");
    await page.context().close();
  });

  it("a time saves once complete (without leaving the field), Escape drops a draft, and clear empties it", async () => {
    const page = await open();
    const detected = page.getByTestId("time-detected");
    // A typed time (the field is text in the page's clock; this browser's zone is UTC).
    await detected.fill("2026-03-01 10:15:30");
    // Still focused: the pause after a complete time saves it.
    await expect
      .poll(async () => (await stored()).times.detectedAt, { timeout: 5000 })
      .toBe("2026-03-01T10:15:30.000Z");
    expect(await detected.evaluate((el) => el === document.activeElement)).toBe(true);
    await detected.press("Enter");

    await detected.fill("2026-03-02 08:00");
    await detected.press("Escape");
    expect(await detected.inputValue()).toBe("2026-03-01 10:15:30");
    // Escape also stopped the pending autosave of the dropped draft.
    await page.waitForTimeout(1500);
    expect((await stored()).times.detectedAt).toBe("2026-03-01T10:15:30.000Z");

    await detected.fill("2026-03-01 09:00");
    await page.getByTestId("quick-add-text").click();
    await expect
      .poll(async () => (await stored()).times.detectedAt)
      .toBe("2026-03-01T09:00:00.000Z");

    await page.getByTestId("time-detected-clear").click();
    await expect.poll(async () => (await stored()).times.detectedAt).toBeNull();
    // The page re-reads its document on the next animation frame, which a loaded machine
    // may run after the server has already answered the poll above.
    await expect.poll(() => detected.inputValue()).toBe("");
    expect(await page.getByTestId("time-detected-error").count()).toBe(0);
    await page.context().close();
  });

  it("a record's text saves on Ctrl+Enter, Escape drops the edit, and a refused save keeps the draft with the reason", async () => {
    await suite.server.hotdoc.incidents.write(
      key,
      { subject: "t", name: "Marco", role: "admin", scope: "*" },
      (doc) => {
        addObservation(doc, { author: "Marco", text: "EU error rate at 30%" });
      },
    );
    const page = await open();
    const card = page.getByTestId("observation-card");
    const box = card.getByRole("textbox", { name: "observation", exact: true });
    const text = async () => (await stored()).observations[0].text;

    await card.getByRole("button", { name: "Edit observation" }).click();
    await box.fill("EU error rate at 31%");
    await box.press("Control+Enter");
    await expect.poll(text).toBe("EU error rate at 31%");
    await box.waitFor({ state: "detached", timeout: 2000 });
    expect(await card.getByTestId("observation-text").innerText()).toBe("EU error rate at 31%");

    await card.getByRole("button", { name: "Edit observation" }).click();
    await box.fill("not this");
    await box.press("Escape");
    await box.waitFor({ state: "detached", timeout: 2000 });
    expect(await card.getByTestId("observation-text").innerText()).toBe("EU error rate at 31%");

    // Blank text is refused: the editor stays open with the draft and says why.
    await card.getByRole("button", { name: "Edit observation" }).click();
    await box.fill("   ");
    await box.press("Control+Enter");
    const error = card.getByTestId("inline-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toMatch(/required/);
    expect(await box.inputValue()).toBe("   ");
    expect(await text()).toBe("EU error rate at 31%");
    await card.getByRole("button", { name: "Cancel" }).click();
    await box.waitFor({ state: "detached", timeout: 2000 });
    expect(await error.count()).toBe(0);
    await page.context().close();
  });
});
