import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readTimelineEntry, recordChange, type TimelineEntry } from "#shared/doc/index.ts";
import { artifactPath, waitOnline } from "../helpers/browser.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/** What must leave the incident for good once removed. */
const SECRET = "PGPASSWORD=s3cr3t-Hunter2-7731";
/** The responders' browser zone: a typed "14:05" means 14:05 there. */
const ZONE = "America/New_York";
const LIVE_MS = 2000;

/** "14:05": the wall time of an instant in `zone`. */
const wallTime = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));

describe("correcting the timeline from the incident page", () => {
  const suite = browserSuite();
  let key: string;
  let chatId: string;
  let secretId: string;
  /** An instant after the secret was written and before it was removed. */
  let before: string;

  beforeAll(async () => {
    key = (
      await suite.server.api("POST", "/api/incidents", { summary: "Checkout 502s", severity: 2 })
    ).body.key;
    chatId = (
      await suite.server.api("POST", `/api/incidents/${key}/timeline`, {
        text: "Deploy v2 startd",
        author: "Ben",
        source: "slack",
        kind: "chat",
        at: new Date(Date.now() - 30 * 60_000).toISOString(),
      })
    ).body.entry.id;
    secretId = (
      await suite.server.api("POST", `/api/incidents/${key}/timeline`, {
        text: `Connecting with ${SECRET} to check replication`,
        author: "Ben",
        at: new Date(Date.now() - 20 * 60_000).toISOString(),
      })
    ).body.entry.id;
    await new Promise((resolve) => setTimeout(resolve, 30));
    before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 30));
  });

  const open = (role: "responder" | "viewer", name: string) =>
    openIncident(suite, key, { role, name, timezoneId: ZONE });

  const row = (page: Page, id: string) =>
    page.locator(`[data-testid="timeline-entry"][data-id="${id}"]`);

  /** The entry as the server has it, over REST. */
  const stored = async (id: string): Promise<TimelineEntry> =>
    (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
      (e: TimelineEntry) => e.id === id,
    );

  const exported = async (format: string, at?: string): Promise<string> =>
    (
      await suite.server.api(
        "GET",
        `/api/incidents/${key}/export?format=${format}${at ? `&at=${encodeURIComponent(at)}` : ""}`,
      )
    ).body as string;

  const stateBytes = async (at: string): Promise<Buffer> => {
    const response = await fetch(
      `${suite.server.url}/api/incidents/${key}/state?at=${encodeURIComponent(at)}`,
      { headers: { authorization: `Bearer ${suite.server.token}` } },
    );
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };

  it("edits, re-times, marks and removes entries: the history says who and when, the removed text is gone everywhere, a viewer corrects nothing", async () => {
    const alice = await open("responder", "Alice");
    const bob = await open("responder", "Bob");
    const viewer = await open("viewer", "Support");

    // One control per row for a responder; none at all for a viewer.
    await row(alice, chatId).waitFor();
    expect(await alice.getByTestId("timeline-correct").count()).toBeGreaterThanOrEqual(2);
    await row(viewer, chatId).waitFor();
    expect(await viewer.getByTestId("timeline-correct").count()).toBe(0);

    // Edit, re-time ("14:05" in the responder's zone) and mark a key event, by keyboard.
    await row(alice, chatId).getByTestId("timeline-correct").focus();
    await alice.keyboard.press("Enter");
    const editor = row(alice, chatId).getByTestId("timeline-correction-editor");
    await editor.waitFor();
    expect(await editor.getByTestId("correct-chat-note").innerText()).toContain(
      "The message in the chat room is unchanged",
    );
    // The editor opens with the focus in the text.
    expect(await alice.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "correct-text",
    );
    await editor.getByTestId("correct-text").fill("Deploy of v2 started");
    // A time that cannot be read is refused inline, and nothing is written.
    await editor.getByTestId("correct-time").fill("11 21 2026 02 41");
    await editor.getByTestId("correct-save").click();
    await editor.getByTestId("correct-time-error").waitFor();
    expect((await stored(chatId)).text).toBe("Deploy v2 startd");
    await editor.getByTestId("correct-time").fill("14:05");
    expect(await editor.getByTestId("correct-time-preview").innerText()).toContain("14:05");
    await editor.getByTestId("correct-key").check();
    await alice
      .locator("#timeline")
      .screenshot({ path: artifactPath("timeline-correction-editor.png") });
    await editor.getByTestId("correct-save").click();
    await editor.waitFor({ state: "detached", timeout: LIVE_MS });
    // Closing gives the focus back to the row's button.
    expect(await alice.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "timeline-correct",
    );

    await expect
      .poll(async () => (await stored(chatId)).text, { timeout: LIVE_MS })
      .toBe("Deploy of v2 started");
    const corrected = await stored(chatId);
    expect(wallTime(corrected.at, ZONE)).toBe("14:05");
    const ago = Date.now() - Date.parse(corrected.at);
    expect(ago).toBeGreaterThan(-60_000);
    expect(ago).toBeLessThan(24 * 3_600_000 + 60_000);
    expect(corrected.pinned).toBe(true);
    expect(corrected.author).toBe("Ben");
    expect(corrected.corrections?.map((c) => [c.by, c.action])).toEqual([
      ["Alice", "edited"],
      ["Alice", "retimed"],
      ["Alice", "key"],
    ]);
    expect(JSON.stringify(corrected.corrections)).not.toContain("startd");

    // Bob sees the corrected entry at 14:05 with who corrected it.
    const bobRow = row(bob, chatId);
    await bobRow.filter({ hasText: "Deploy of v2 started" }).waitFor({ timeout: LIVE_MS });
    expect(await bobRow.locator("time").first().innerText()).toMatch(/14:05/);
    const history = await bobRow.getByTestId("timeline-corrections").innerText();
    expect(history).toContain("edited by Alice");
    expect(history).toContain("re-timed by Alice");
    expect(history).toContain("marked key by Alice");
    expect(await bobRow.getAttribute("data-pinned")).toBe("true");

    // Before the removal, the past holds the secret: the checks below can fail.
    expect(await exported("markdown", before)).toContain(SECRET);

    // Removing needs a reason: without one, an inline error and nothing written.
    await row(alice, secretId).getByTestId("timeline-correct").click();
    const removeIn = row(alice, secretId).getByTestId("timeline-correction-editor");
    await removeIn.getByTestId("correct-remove").click();
    await removeIn.getByTestId("correct-remove-confirm").click();
    expect(await removeIn.getByTestId("correct-error").innerText()).toMatch(/Reason is required/);
    expect((await stored(secretId)).text).toContain(SECRET);
    await removeIn.getByTestId("correct-reason").fill("pasted a database credential");
    await removeIn.getByTestId("correct-reason").press("Enter");

    // Bob's page says who removed it, when and why, and holds the text nowhere.
    const notice = row(bob, secretId).getByTestId("timeline-removal");
    await notice.waitFor({ timeout: LIVE_MS });
    expect(await notice.innerText()).toMatch(
      /^Entry removed by Alice at \d\d:\d\d: pasted a database credential$/,
    );
    expect(await bob.content()).not.toContain(SECRET);
    expect(await alice.content()).not.toContain(SECRET);
    await row(viewer, secretId).getByTestId("timeline-removal").waitFor({ timeout: LIVE_MS });
    expect(await viewer.content()).not.toContain(SECRET);
    expect(await viewer.getByTestId("timeline-correct").count()).toBe(0);
    expect(await viewer.getByTestId("timeline-correction-editor").count()).toBe(0);
    await bob
      .getByTestId("timeline")
      .screenshot({ path: artifactPath("timeline-corrections.png") });

    const removed = await stored(secretId);
    expect(removed).toMatchObject({
      text: "",
      deleted: true,
      removal: { by: "Alice", reason: "pasted a database credential" },
    });

    // The server's live document (garbage-collected) no longer holds the bytes.
    const live = suite.server.hotdoc.hocuspocus.documents.get(key);
    expect(live?.gc).toBe(true);
    expect(Buffer.from(Y.encodeStateAsUpdate(live as Y.Doc)).includes(SECRET)).toBe(false);

    // Every export, now and as it stood before the removal, leaves the text out.
    for (const format of ["markdown", "html", "confluence", "json"]) {
      expect(await exported(format)).not.toContain(SECRET);
      expect(await exported(format, before)).not.toContain(SECRET);
    }
    const markdown = await exported("markdown");
    expect(markdown).toContain("Entry removed by Alice at ");
    expect(markdown).toContain("pasted a database credential");
    expect(markdown).toMatch(/Deploy of v2 started \(edited by Alice at .*re-timed by Alice at /);
    // History (the state the page's time travel loads) before the removal: blank, and says why.
    const past = await stateBytes(before);
    expect(past.includes(SECRET)).toBe(false);
    const pastDoc = new Y.Doc();
    Y.applyUpdate(pastDoc, new Uint8Array(past));
    expect(readTimelineEntry(pastDoc, secretId)).toMatchObject({
      text: "",
      removal: { by: "Alice" },
    });
    // The rest of the past is untouched: the chat entry had its old text then.
    expect(readTimelineEntry(pastDoc, chatId)?.text).toBe("Deploy v2 startd");
    pastDoc.destroy();

    // A removed entry offers no more corrections.
    expect(await row(alice, secretId).getByTestId("timeline-correct").count()).toBe(0);
  }, 60_000);

  /** The data-testid of the focused element, and the entry row it is in. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const active = document.activeElement;
      return {
        testId: active?.getAttribute("data-testid") ?? active?.tagName ?? "",
        row: active?.closest('[data-testid="timeline-entry"]')?.getAttribute("data-id") ?? null,
      };
    });

  it("the focus follows the editor from one entry to another, and lands on the notice after a removal", async () => {
    const [firstId, secondId] = await Promise.all(
      [
        ["Rolled back the config", 12],
        ["Config rollback done", 11],
      ].map(
        async ([text, minutes]) =>
          (
            await suite.server.api("POST", `/api/incidents/${key}/timeline`, {
              text,
              author: "Ben",
              at: new Date(Date.now() - Number(minutes) * 60_000).toISOString(),
            })
          ).body.entry.id as string,
      ),
    );
    const alice = await open("responder", "Alice");
    await row(alice, secondId).waitFor();
    // The editor open on the later entry; then "Correct" on the earlier one, above it.
    await row(alice, secondId).getByTestId("timeline-correct").click();
    await row(alice, secondId).getByTestId("timeline-correction-editor").waitFor();
    await row(alice, firstId).getByTestId("timeline-correct").click();
    const editor = row(alice, firstId).getByTestId("timeline-correction-editor");
    await editor.waitFor();
    expect(await row(alice, secondId).getByTestId("timeline-correction-editor").count()).toBe(0);
    // The keyboard is in the new editor's text, so typing goes there.
    expect(await focused(alice)).toEqual({ testId: "correct-text", row: firstId });
    await alice.keyboard.press("End");
    await alice.keyboard.type(" (v41)");
    expect(await editor.getByTestId("correct-text").inputValue()).toBe(
      "Rolled back the config (v41)",
    );

    // After "Remove for everyone" the row's Correct button is gone: the focus goes to the
    // notice that now stands in the entry's place, not to the top of the page.
    await editor.getByTestId("correct-remove").click();
    await editor.getByTestId("correct-reason").fill("wrong incident");
    await editor.getByTestId("correct-remove-confirm").click();
    await row(alice, firstId).getByTestId("timeline-removal").waitFor({ timeout: LIVE_MS });
    await expect
      .poll(() => focused(alice), { timeout: LIVE_MS })
      .toEqual({ testId: "timeline-removal", row: firstId });

    // An entry that stands for a record (a change written from chat): the removal says
    // plainly what it does not reach, and promises nothing about them.
    await suite.server.hotdoc.incidents.write(
      key,
      { subject: "t", name: "Ben", role: "admin", scope: "*" },
      (doc) => {
        recordChange(doc, { author: "Ben", what: "Raised the pool to 400", source: "slack" });
      },
    );
    const changeEntry = (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
      (e: TimelineEntry) => e.ref?.collection === "changes",
    ) as TimelineEntry;
    await row(alice, changeEntry.id).getByTestId("timeline-correct").click();
    const changeEditor = row(alice, changeEntry.id).getByTestId("timeline-correction-editor");
    await changeEditor.getByTestId("correct-remove").click();
    const recordNote = await changeEditor.getByTestId("correct-remove-record-note").innerText();
    expect(recordNote).toContain(
      "Not removed: the change this entry stands for keeps its own text",
    );
    expect(recordNote).toContain("in the change log");
    expect(recordNote).toContain("The chat message that created it is a timeline entry of its own");
    expect(await changeEditor.getByTestId("correct-remove-chat-note").innerText()).toContain(
      "The message in the chat room (slack) is unchanged",
    );
    await alice.context().close();
  }, 30_000);

  it("a session that ends closes the correction editor and the Resolve dialog: signing in again reopens neither", async () => {
    const entryId = (
      await suite.server.api("POST", `/api/incidents/${key}/timeline`, {
        text: "Paged the payments team",
        author: "Ben",
      })
    ).body.entry.id as string;
    const link: string = (
      await suite.server.api("POST", `/api/incidents/${key}/links`, {
        role: "responder",
        name: "Alice",
      })
    ).body.url;
    const context = await suite.browser.newContext({
      viewport: { width: 1400, height: 1000 },
      timezoneId: ZONE,
    });
    const alice = await context.newPage();
    await alice.goto(link);
    await waitOnline(alice);
    await row(alice, entryId).getByTestId("timeline-correct").click();
    await row(alice, entryId).getByTestId("timeline-correction-editor").waitFor();
    await alice.locator('[data-testid="status-move"][data-to="resolved"]').click();
    await alice.getByTestId("resolve-dialog").waitFor({ timeout: LIVE_MS });

    // Signed out in another tab: this page turns read-only, with neither open.
    const other = await context.newPage();
    await other.goto(`${suite.server.url}/`);
    await other.getByTestId("sign-out").click();
    await other.getByTestId("signin-screen").waitFor({ timeout: 5000 });
    await other.close();
    await alice.getByTestId("signed-out").waitFor({ timeout: 5000 });
    await alice.getByTestId("quick-add-text").waitFor({ state: "detached", timeout: LIVE_MS });
    expect(await alice.getByTestId("resolve-dialog").count()).toBe(0);
    expect(await alice.getByTestId("timeline-correction-editor").count()).toBe(0);

    // Signing in again gives the editable page back, as the person left it: nothing open.
    await alice.getByTestId("relink-input").fill(link);
    await alice.getByTestId("relink-submit").click();
    await alice.getByTestId("signed-out").waitFor({ state: "detached", timeout: 5000 });
    await waitOnline(alice);
    await alice.getByTestId("quick-add-text").waitFor({ timeout: LIVE_MS });
    await row(alice, entryId).getByTestId("timeline-correct").waitFor({ timeout: LIVE_MS });
    expect(await alice.getByTestId("resolve-dialog").count()).toBe(0);
    expect(await alice.getByTestId("timeline-correction-editor").count()).toBe(0);
    expect((await suite.server.api("GET", `/api/incidents/${key}`)).body.status).toBe("new");
    await context.close();
  }, 30_000);

  it("quick-add takes the time it happened; a time that cannot be read writes nothing", async () => {
    const alice = await open("responder", "Alice");
    await alice.getByTestId("quick-add-text").fill("Paged the database on-call");
    await alice.getByTestId("quick-add-at").fill("11 21 2026 02 41");
    await alice.getByTestId("quick-add-submit").click();
    await alice.getByTestId("quick-add-at-error").waitFor();
    const texts = async () =>
      (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.map(
        (e: TimelineEntry) => e.text,
      );
    expect(await texts()).not.toContain("Paged the database on-call");
    // The typed text stays, to fix the time and add again.
    expect(await alice.getByTestId("quick-add-text").inputValue()).toBe(
      "Paged the database on-call",
    );

    await alice.getByTestId("quick-add-at").fill("10 min ago");
    const clicked = Date.now();
    await alice.getByTestId("quick-add-submit").click();
    let entry: TimelineEntry | undefined;
    await expect
      .poll(
        async () => {
          entry = (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
            (e: TimelineEntry) => e.text === "Paged the database on-call",
          );
          return entry !== undefined;
        },
        { timeout: LIVE_MS },
      )
      .toBe(true);
    const offset = clicked - Date.parse(entry?.at ?? "");
    expect(offset).toBeGreaterThan(10 * 60_000 - 15_000);
    expect(offset).toBeLessThan(10 * 60_000 + 15_000);
    expect(await alice.getByTestId("quick-add-at").inputValue()).toBe("");

    // "14:05" in the reader's zone, for the quick-add too.
    await alice.getByTestId("quick-add-text").fill("Status page updated");
    await alice.getByTestId("quick-add-at").fill("14:05");
    await alice.getByTestId("quick-add-submit").click();
    await expect
      .poll(
        async () =>
          (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
            (e: TimelineEntry) => e.text === "Status page updated",
          )?.at,
        { timeout: LIVE_MS },
      )
      .toBeTruthy();
    const statusEntry = (await suite.server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
      (e: TimelineEntry) => e.text === "Status page updated",
    );
    expect(wallTime(statusEntry.at, ZONE)).toBe("14:05");
  }, 30_000);
});
