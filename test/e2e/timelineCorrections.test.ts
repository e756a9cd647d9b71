import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readTimelineEntry, type TimelineEntry } from "#shared/doc/index.ts";
import { artifactPath, launchChromium } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/testServer.ts";

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
  let server: TestServer;
  let browser: Browser;
  let key: string;
  let chatId: string;
  let secretId: string;
  /** An instant after the secret was written and before it was removed. */
  let before: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    key = (await server.api("POST", "/api/incidents", { summary: "Checkout 502s", severity: 2 }))
      .body.key;
    chatId = (
      await server.api("POST", `/api/incidents/${key}/timeline`, {
        text: "Deploy v2 startd",
        author: "Ben",
        source: "slack",
        kind: "chat",
        at: new Date(Date.now() - 30 * 60_000).toISOString(),
      })
    ).body.entry.id;
    secretId = (
      await server.api("POST", `/api/incidents/${key}/timeline`, {
        text: `Connecting with ${SECRET} to check replication`,
        author: "Ben",
        at: new Date(Date.now() - 20 * 60_000).toISOString(),
      })
    ).body.entry.id;
    await new Promise((resolve) => setTimeout(resolve, 30));
    before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(role: "responder" | "viewer", name: string): Promise<Page> {
    const link = await server.api("POST", `/api/incidents/${key}/links`, { role, name });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      timezoneId: ZONE,
    });
    const page = await context.newPage();
    await page.goto(link.body.url);
    await page
      .locator('[data-testid="connection-status"][data-status="online"]')
      .waitFor({ timeout: 15_000 });
    return page;
  }

  const row = (page: Page, id: string) =>
    page.locator(`[data-testid="timeline-entry"][data-id="${id}"]`);

  /** The entry as the server has it, over REST. */
  const stored = async (id: string): Promise<TimelineEntry> =>
    (await server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
      (e: TimelineEntry) => e.id === id,
    );

  const exported = async (format: string, at?: string): Promise<string> =>
    (
      await server.api(
        "GET",
        `/api/incidents/${key}/export?format=${format}${at ? `&at=${encodeURIComponent(at)}` : ""}`,
      )
    ).body as string;

  const stateBytes = async (at: string): Promise<Buffer> => {
    const response = await fetch(
      `${server.url}/api/incidents/${key}/state?at=${encodeURIComponent(at)}`,
      { headers: { authorization: `Bearer ${server.token}` } },
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
    const live = server.hotdoc.hocuspocus.documents.get(key);
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

  it("quick-add takes the time it happened; a time that cannot be read writes nothing", async () => {
    const alice = await open("responder", "Alice");
    await alice.getByTestId("quick-add-text").fill("Paged the database on-call");
    await alice.getByTestId("quick-add-at").fill("11 21 2026 02 41");
    await alice.getByTestId("quick-add-submit").click();
    await alice.getByTestId("quick-add-at-error").waitFor();
    const texts = async () =>
      (await server.api("GET", `/api/incidents/${key}`)).body.timeline.map(
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
          entry = (await server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
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
          (await server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
            (e: TimelineEntry) => e.text === "Status page updated",
          )?.at,
        { timeout: LIVE_MS },
      )
      .toBeTruthy();
    const statusEntry = (await server.api("GET", `/api/incidents/${key}`)).body.timeline.find(
      (e: TimelineEntry) => e.text === "Status page updated",
    );
    expect(wallTime(statusEntry.at, ZONE)).toBe("14:05");
  }, 30_000);
});
