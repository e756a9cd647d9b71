import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/**
 * The garble the issue reported: two responders typing at one caret stored
 * "Shared:[AAAA-1234]BBBB-5678][" (one typist's first character pushed to the end).
 * Cause: @tiptap/y-tiptap ≥ 3.0.7 puts a caret back at its old numeric offset whenever
 * the paragraph's text changed; client/src/components/notesCaret.ts lets Yjs's own
 * relative position win inside text.
 */
describe("two people typing at the same caret in the notes", () => {
  const suite = browserSuite();
  const open = (key: string, name: string) => openIncident(suite, key, { role: "responder", name });

  const notes = (page: Page) => page.locator('[data-testid="notes-editor"] .ProseMirror');
  /** The notes as the page shows them, without the other people's caret labels. */
  const shownNotes = (page: Page): Promise<string> =>
    notes(page).evaluate((element) => {
      const copy = element.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll(".collaboration-carets__caret")) caret.remove();
      return copy.textContent ?? "";
    });
  const storedNotes = async (key: string): Promise<string> =>
    (await suite.server.api("GET", `/api/incidents/${key}`)).body.notes;

  /** Both type their run at once, a key every 40 ms, and each run must arrive whole. */
  async function typeTogether(alice: Page, bob: Page, key: string, expected: RegExp) {
    await Promise.all([
      alice.keyboard.type("[AAAA-1234]", { delay: 40 }),
      bob.keyboard.type("[BBBB-5678]", { delay: 40 }),
    ]);
    await expect.poll(() => storedNotes(key), { timeout: 5000 }).toMatch(expected);
    for (const page of [alice, bob]) {
      await expect.poll(() => shownNotes(page), { timeout: 5000 }).toMatch(expected);
    }
  }

  it("at the end of a line: both runs stay whole and in order, three incidents in a row", async () => {
    for (let round = 0; round < 3; round++) {
      const { key } = (
        await suite.server.api("POST", "/api/incidents", {
          summary: `Co-typing ${round}`,
          severity: 3,
        })
      ).body;
      const alice = await open(key, "Alice");
      const bob = await open(key, "Bob");
      await notes(alice).click();
      await alice.keyboard.type("Shared:");
      await notes(bob).filter({ hasText: "Shared:" }).waitFor({ timeout: 5000 });
      await notes(bob).click();
      await bob.keyboard.press("Control+End");
      await typeTogether(
        alice,
        bob,
        key,
        /^Shared:(\[AAAA-1234\]\[BBBB-5678\]|\[BBBB-5678\]\[AAAA-1234\])/,
      );
      await Promise.all([alice, bob].map((p) => p.context().close()));
    }
  }, 120_000);

  it("in the middle of a line: both runs land whole between the same two words", async () => {
    const { key } = (
      await suite.server.api("POST", "/api/incidents", { summary: "Mid", severity: 3 })
    ).body;
    const alice = await open(key, "Alice");
    const bob = await open(key, "Bob");
    await notes(alice).click();
    await alice.keyboard.type("before  after");
    await notes(bob).filter({ hasText: "before  after" }).waitFor({ timeout: 5000 });
    for (const page of [alice, bob]) {
      await notes(page).click();
      await page.keyboard.press("Home");
      for (let i = 0; i < "before ".length; i++) await page.keyboard.press("ArrowRight");
    }
    await typeTogether(
      alice,
      bob,
      key,
      /^before (\[AAAA-1234\]\[BBBB-5678\]|\[BBBB-5678\]\[AAAA-1234\]) after/,
    );
    await Promise.all([alice, bob].map((p) => p.context().close()));
  }, 60_000);
});
