import { describe, expect, it } from "vitest";
import { recordChange } from "#shared/doc/index.ts";
import { artifactPath, waitOnline } from "../helpers/browser.ts";
import { browserSuite, openIncident } from "../helpers/browserSuite.ts";

/**
 * Item 4 of the 3 a.m. review, "Times go wrong", in Chromium against a real server: a
 * time is typed as a responder thinks it ("14:05", "10 min ago") and lands as that time
 * in the zone the page shows (the browser's, Europe/Berlin here, or UTC); an unreadable
 * time is refused and stores nothing; the page writes 24-hour only; declaring asks when
 * impact started; and Resolve asks when impact ended and lists what is still applied.
 */

const ZONE = "Europe/Berlin";
const MINUTE = 60_000;

/** "HH:MM" of an instant on a wall clock in `timeZone`, read independently of hotdoc. */
function wallClock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

describe("times on the incident page", () => {
  const suite = browserSuite();

  const declare = async (summary: string): Promise<string> =>
    (await suite.server.api("POST", "/api/incidents", { summary, severity: 2 })).body.key;
  const stored = async (key: string) =>
    (await suite.server.api("GET", `/api/incidents/${key}`)).body;

  const open = (key: string, viewport = { width: 1400, height: 1000 }) =>
    // en-US writes 12-hour times wherever the browser's own formatting is used.
    openIncident(suite, key, {
      role: "responder",
      name: "Alice",
      viewport,
      timezoneId: ZONE,
      locale: "en-US",
    });

  it("a typed 14:05 lands as 14:05 in the zone the page shows, Berlin or UTC", async () => {
    const key = await declare("Times typed in two zones");
    const page = await open(key);
    const zone = page.getByTestId("zone-switch");
    expect(await zone.getAttribute("data-zone")).toBe("local");
    expect(await zone.innerText()).toContain("Europe/Berlin (UTC+0");
    expect(await page.getByTestId("times-zone").innerText()).toContain("Europe/Berlin");

    const declaredAt = (await stored(key)).times.detectedAt;
    const detected = page.getByTestId("time-detected");
    await detected.fill("14:05");
    await detected.press("Enter");
    await expect.poll(async () => (await stored(key)).times.detectedAt).not.toBe(declaredAt);
    const inBerlin = (await stored(key)).times.detectedAt as string;
    expect(wallClock(inBerlin, ZONE)).toBe("14:05");
    // The latest 14:05 behind now: never ahead, never more than a day back.
    const age = Date.now() - Date.parse(inBerlin);
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(24 * 60 * MINUTE);
    // What the field shows now is the same instant, written to be typed back unchanged.
    expect(await detected.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2} 14:05$/);

    // The zone switch is one radio group: the keyboard reaches it and arrows to UTC.
    await page.getByTestId("zone-local").focus();
    await page.keyboard.press("ArrowRight");
    expect(await zone.getAttribute("data-zone")).toBe("utc");
    expect(await page.getByTestId("zone-utc").isChecked()).toBe(true);
    expect(await page.getByTestId("times-zone").innerText()).toBe("UTC");
    // Every time on the page redraws in UTC: the same detection now reads as UTC's hour.
    expect(await detected.inputValue()).toContain(` ${wallClock(inBerlin, "UTC")}`);

    const started = page.getByTestId("time-started");
    await started.fill("14:05");
    await started.press("Enter");
    await expect.poll(async () => (await stored(key)).times.startedAt).not.toBeNull();
    const inUtc = (await stored(key)).times.startedAt as string;
    expect(wallClock(inUtc, "UTC")).toBe("14:05");
    expect(Date.now() - Date.parse(inUtc)).toBeGreaterThan(0);

    // "14:05 UTC" is UTC whichever zone the page shows.
    await page.getByTestId("zone-local").check();
    const ended = page.getByTestId("time-ended");
    await ended.fill("14:05 UTC");
    await ended.press("Enter");
    await expect.poll(async () => (await stored(key)).times.endedAt).not.toBeNull();
    expect(wallClock((await stored(key)).times.endedAt, "UTC")).toBe("14:05");

    // The choice is this browser's: a reload keeps it.
    await page.getByTestId("zone-utc").check();
    await page.reload();
    await waitOnline(page);
    expect(await page.getByTestId("zone-switch").getAttribute("data-zone")).toBe("utc");
  });

  it("an unreadable time shows an error tied to the field and stores nothing", async () => {
    const key = await declare("Unreadable times");
    const page = await open(key);
    const before = (await stored(key)).times;
    const detected = page.getByTestId("time-detected");
    await detected.fill("11 21 2026 02 41");
    // Longer than the autosave pause: a text that does not read is never saved by it.
    await page.waitForTimeout(1500);
    await detected.press("Enter");
    const error = page.getByTestId("time-detected-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toMatch(/"11 21 2026 02 41" is not a time hotdoc reads/);
    expect(await detected.getAttribute("aria-invalid")).toBe("true");
    // The error is read out with the field.
    const describedBy = (await detected.getAttribute("aria-describedby")) ?? "";
    const described = await page.evaluate(
      (ids) =>
        ids
          .split(" ")
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" "),
      describedBy,
    );
    expect(described).toContain("is not a time hotdoc reads");
    // What was typed stays, to be fixed; the document is as it was.
    expect(await detected.inputValue()).toBe("11 21 2026 02 41");
    expect((await stored(key)).times).toEqual(before);

    // Fixing it clears the error and saves.
    await detected.fill("2026-11-21 02:41");
    await detected.press("Enter");
    await expect
      .poll(async () => (await stored(key)).times.detectedAt)
      .toBe("2026-11-21T01:41:00.000Z");
    expect(await error.count()).toBe(0);
    expect(await detected.getAttribute("aria-invalid")).toBeNull();
  });

  it("the pause saves a time, but never one whose offset is still being typed", async () => {
    const key = await declare("Offsets typed slowly");
    const page = await open(key);
    const before = (await stored(key)).times.detectedAt;
    const detected = page.getByTestId("time-detected");
    // "14:05 +0" reads as 14:05 UTC and "14:05 +020" as +00:20, but both are "14:05
    // +0200" half-typed: a pause longer than the autosave's leaves the document alone.
    // (A bare sign or "+02:" does not read at all, so no pause could save it.)
    for (const partial of ["14:05 +0", "14:05 +020", "14:05 UTC+1"]) {
      await detected.fill(partial);
      await page.waitForTimeout(1500);
      expect((await stored(key)).times.detectedAt).toBe(before);
    }
    // Complete, the pause saves it: 14:05 at +02:00 is 12:05 UTC.
    await detected.fill("14:05 +02:00");
    await expect
      .poll(async () => (await stored(key)).times.detectedAt, { timeout: 3000 })
      .not.toBe(before);
    expect(wallClock((await stored(key)).times.detectedAt, "UTC")).toBe("12:05");
    // Enter saves whatever reads as a time, a one-digit "+3" included.
    await detected.fill("14:05 +3");
    await detected.press("Enter");
    await expect
      .poll(async () => wallClock((await stored(key)).times.detectedAt, "UTC"))
      .toBe("11:05");
    await detected.fill("14:05 +0");
    await detected.press("Enter");
    await expect
      .poll(async () => wallClock((await stored(key)).times.detectedAt, "UTC"))
      .toBe("14:05");
    await page.context().close();
  });

  it("the Times panel is 24-hour, shows TTD and TTR, and takes few tab stops", async () => {
    const key = await declare("An afternoon incident");
    // 15:30 and 16:45 in Berlin: a 12-hour clock would write 03:30 PM.
    await suite.server.api("PATCH", `/api/incidents/${key}`, {
      startedAt: "2026-11-20T14:30:00.000Z",
      detectedAt: "2026-11-20T15:45:00.000Z",
    });
    const page = await open(key);
    const panel = page.getByTestId("times");
    await expect.poll(() => page.getByTestId("time-started").inputValue()).toBe("2026-11-20 15:30");
    expect(await page.getByTestId("time-detected").inputValue()).toBe("2026-11-20 16:45");
    expect(await panel.innerText()).not.toMatch(/\b(AM|PM)\b/i);
    expect(await page.getByTestId("times-ttd").innerText()).toBe("1h 15m");
    expect(await page.getByTestId("times-ttr").innerText()).not.toBe("unknown");
    // Nothing on the page is written with AM/PM.
    expect(await page.locator("body").innerText()).not.toMatch(/\d\s?(AM|PM)\b/i);
    // Nor in the history view: its bar and its heading are in the page's clock, to the second.
    await page.getByTestId("history-slider").fill("0");
    await page.getByTestId("history-view").waitFor({ timeout: 5000 });
    const historyAt = await page.getByTestId("history-at").innerText();
    expect(historyAt).toMatch(/^[A-Z][a-z]{2} \d{1,2}( \d{4})? \d\d:\d\d:\d\d$/);
    expect(await page.getByTestId("history-view-at").innerText()).toBe(historyAt);
    expect(await page.locator("body").innerText()).not.toMatch(/\d\s?(AM|PM)\b/i);
    // The zone switch applies there too.
    await page.getByTestId("zone-utc").check();
    const historyUtc = await page.getByTestId("history-at").innerText();
    // Berlin is an hour or two (summer time) ahead of UTC; minutes and seconds agree.
    const hour = (text: string) => Number(text.slice(-8, -6));
    expect([1, 2]).toContain((hour(historyAt) - hour(historyUtc) + 24) % 24);
    expect(historyUtc.slice(-5)).toBe(historyAt.slice(-5));
    await page.getByTestId("zone-local").check();
    await page.getByTestId("history-live").click();
    await page.getByTestId("history-view").waitFor({ state: "detached", timeout: 2000 });

    // One stop per time: "now" and "clear" are typed (or the field emptied), so the
    // keyboard crosses the three times in three stops; the buttons are for the mouse.
    await page.getByTestId("time-started").focus();
    const stops: string[] = [];
    for (let i = 0; i < 3; i++) {
      stops.push(
        await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? ""),
      );
      await page.keyboard.press("Tab");
    }
    expect(stops).toEqual(["time-started", "time-detected", "time-ended"]);
  });

  it("declaring asks when impact started: '20 min ago' is stored as such", async () => {
    const context = await suite.browser.newContext({
      viewport: { width: 1200, height: 1000 },
      timezoneId: ZONE,
    });
    const page = await context.newPage();
    await page.goto(`${suite.server.url}/#token=${suite.server.token}`);
    await page.getByTestId("name-input").fill("Dana Declarer");
    await page.getByTestId("name-save").click();
    await page.getByTestId("declare-form").waitFor();
    const count = async () =>
      (await suite.server.api("GET", "/api/incidents")).body.incidents.length;
    const before = await count();

    await page.getByTestId("declare-summary").fill("Login fails on the mobile app");
    await page.getByTestId("declare-severity-2").check();
    const started = page.getByTestId("declare-started");
    await started.fill("11 21 2026 02 41");
    await page.getByTestId("declare-submit").click();
    const error = page.getByTestId("declare-started-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toMatch(/is not a time hotdoc reads/);
    expect(await started.getAttribute("aria-invalid")).toBe("true");
    expect(await started.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await count()).toBe(before);

    await started.fill("20 min ago");
    const clicked = Date.now();
    await page.getByTestId("declare-submit").click();
    await page.getByTestId("incident-page").waitFor({ timeout: 10_000 });
    const key = new URL(page.url()).pathname.slice(1);
    const { startedAt } = (await stored(key)).times;
    expect(Math.abs(Date.parse(startedAt) - (clicked - 20 * MINUTE))).toBeLessThan(MINUTE);
    await expect.poll(() => page.getByTestId("times-ttd").innerText()).toMatch(/^(19|20)m/);
  });

  it("Resolve asks when impact ended and lists the changes still applied; Cancel changes nothing", async () => {
    const key = await declare("Checkout 502s after a deploy");
    await suite.server.hotdoc.incidents.write(
      key,
      { subject: "t", name: "Marco", role: "admin", scope: "*" },
      (doc) => {
        recordChange(doc, {
          author: "Marco",
          what: "Raised the payments-api pool to 400",
          revertSteps: "kubectl set env deploy/payments-api POOL=200",
        });
      },
    );
    const page = await open(key, { width: 1280, height: 900 });
    const resolve = page.locator('[data-testid="status-move"][data-to="resolved"]');
    const dialog = page.getByTestId("resolve-dialog");

    await resolve.click();
    await dialog.waitFor({ timeout: 2000 });
    // A real modal: focus starts in the first field, which offers "now", selected.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "resolve-ended",
    );
    expect(await page.getByTestId("resolve-ended").inputValue()).toBe("now");
    expect(await dialog.evaluate((el) => (el as HTMLDialogElement).open)).toBe(true);
    const items = dialog.getByTestId("resolve-pending-item");
    expect(await items.count()).toBe(1);
    expect(await items.first().innerText()).toContain("Raised the payments-api pool to 400");
    expect(await items.first().innerText()).toContain("POOL=200");
    // Nobody has said when impact started: the dialog asks that too.
    await page.getByTestId("resolve-started").waitFor();
    await page.screenshot({ path: artifactPath("times-resolve-dialog.png") });

    await page.getByTestId("resolve-cancel").click();
    await dialog.waitFor({ state: "detached", timeout: 2000 });
    let incident = await stored(key);
    expect(incident.status).toBe("new");
    expect(incident.times.endedAt).toBeNull();
    expect(incident.times.startedAt).toBeNull();
    // Focus goes back to the button that opened it.
    expect(await resolve.evaluate((el) => el === document.activeElement)).toBe(true);

    // Escape cancels too.
    await resolve.click();
    await dialog.waitFor({ timeout: 2000 });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", timeout: 2000 });
    expect((await stored(key)).status).toBe("new");

    // Without a start (and without saying it is not known), the dialog does not resolve.
    await resolve.click();
    await page.getByTestId("resolve-ended").fill("10 min ago");
    await page.getByTestId("resolve-confirm").click();
    const error = page.getByTestId("resolve-error");
    await error.waitFor({ timeout: 2000 });
    expect(await error.innerText()).toMatch(/When did impact start/);
    expect(await page.getByTestId("resolve-started").getAttribute("aria-invalid")).toBe("true");
    // An end before the start is refused as well.
    await page.getByTestId("resolve-started").fill("5 min ago");
    await page.getByTestId("resolve-confirm").click();
    await expect.poll(() => error.innerText()).toMatch(/is before its start/);
    expect((await stored(key)).status).toBe("new");

    await page.getByTestId("resolve-started").fill("40 min ago");
    const confirmed = Date.now();
    await page.getByTestId("resolve-confirm").click();
    await dialog.waitFor({ state: "detached", timeout: 2000 });
    await expect.poll(async () => (await stored(key)).status).toBe("resolved");
    incident = await stored(key);
    expect(Math.abs(Date.parse(incident.times.endedAt) - (confirmed - 10 * MINUTE))).toBeLessThan(
      MINUTE,
    );
    expect(Math.abs(Date.parse(incident.times.startedAt) - (confirmed - 40 * MINUTE))).toBeLessThan(
      MINUTE,
    );
    await expect.poll(() => page.getByTestId("header-ttr").innerText()).toMatch(/^(29|30|31)m/);

    // Reopening a closed incident as resolved keeps its end: no dialog asks for it again.
    await page.locator('[data-testid="status-move"][data-to="closed"]').click();
    await expect.poll(async () => (await stored(key)).status).toBe("closed");
    await page.locator('[data-testid="status-move"][data-to="resolved"]').click();
    await expect.poll(async () => (await stored(key)).status).toBe("resolved");
    expect(await dialog.count()).toBe(0);
    expect((await stored(key)).times.endedAt).toBe(incident.times.endedAt);
  });
});
