import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type ClockZone, formatClock, formatForInput, zoneLabel } from "#shared/clock.ts";
import { initIncident, readIncident, setIncidentFields, setStatus } from "#shared/doc/index.ts";
import { parseTimeInput } from "#shared/timeInput.ts";

/**
 * The page's one clock: what a responder types ("14:05", "14:05 UTC", "10 min ago") and
 * how a time is written back (24-hour, one zone). Most cases use the UTC choice, which
 * does not depend on the machine; the "local" cases run with TZ=Europe/Berlin and check
 * against `new Date(y, m, d, h, mi)`, so they hold on the day the clocks change too.
 */

const NOW = new Date("2026-11-21T15:00:00.000Z");
const read = (
  text: string,
  options: { zone?: ClockZone; now?: Date; direction?: "past" | "future" } = {},
) =>
  parseTimeInput(text, {
    now: options.now ?? NOW,
    zone: options.zone ?? "utc",
    direction: options.direction,
  });
const at = (text: string, options?: Parameters<typeof read>[1]) => {
  const parsed = read(text, options);
  if (!parsed.ok) throw new Error(`expected "${text}" to read, got: ${parsed.message}`);
  return parsed.at.toISOString();
};
const refusal = (text: string, options?: Parameters<typeof read>[1]) => {
  const parsed = read(text, options);
  if (parsed.ok)
    throw new Error(`expected "${text}" to be refused, got ${parsed.at.toISOString()}`);
  return parsed.message;
};

describe("reading a typed time (UTC choice)", () => {
  it("reads a clock time as the latest such time not ahead of now", () => {
    expect(at("14:05")).toBe("2026-11-21T14:05:00.000Z");
    expect(at("14:05:30")).toBe("2026-11-21T14:05:30.000Z");
    expect(at("14h05")).toBe("2026-11-21T14:05:00.000Z");
    expect(at("2:05 pm")).toBe("2026-11-21T14:05:00.000Z");
    // 16:05 today is still to come, so "16:05" is yesterday's.
    expect(at("16:05")).toBe("2026-11-20T16:05:00.000Z");
  });

  it("reads a clock time as the next one when the field is about the future", () => {
    expect(at("16:05", { direction: "future" })).toBe("2026-11-21T16:05:00.000Z");
    expect(at("14:05", { direction: "future" })).toBe("2026-11-22T14:05:00.000Z");
    expect(at("in 30 min", { direction: "future" })).toBe("2026-11-21T15:30:00.000Z");
    expect(refusal("2026-11-21 14:00", { direction: "future" })).toMatch(/already passed/);
  });

  it("reads durations back from now, to the second", () => {
    expect(at("now")).toBe("2026-11-21T15:00:00.000Z");
    expect(at("10 min ago")).toBe("2026-11-21T14:50:00.000Z");
    expect(at("1h 5m ago")).toBe("2026-11-21T13:55:00.000Z");
    expect(at("90s ago")).toBe("2026-11-21T14:58:30.000Z");
    expect(at("2 days ago")).toBe("2026-11-19T15:00:00.000Z");
    // Nobody types milliseconds: a time read is kept to the second.
    expect(at("now", { now: new Date("2026-11-21T15:00:00.987Z") })).toBe(
      "2026-11-21T15:00:00.000Z",
    );
  });

  it("reads days: yesterday, a full date, and the date as the page writes it", () => {
    expect(at("yesterday 23:50")).toBe("2026-11-20T23:50:00.000Z");
    expect(at("today 09:00")).toBe("2026-11-21T09:00:00.000Z");
    expect(at("2026-11-21 14:05")).toBe("2026-11-21T14:05:00.000Z");
    expect(at("2026-11-21T14:05:30Z")).toBe("2026-11-21T14:05:30.000Z");
    expect(at("2026-11-21T16:05:00+02:00")).toBe("2026-11-21T14:05:00.000Z");
    expect(at("Nov 20 14:05")).toBe("2026-11-20T14:05:00.000Z");
    expect(at("Nov 20 2025 14:05")).toBe("2025-11-20T14:05:00.000Z");
    // Without a year, the nearest such day behind now: on January 1st, last December's.
    expect(at("Dec 31 23:50", { now: new Date("2026-01-01T00:30:00Z") })).toBe(
      "2025-12-31T23:50:00.000Z",
    );
  });

  it("reads a zone written after the time, whatever the reader chose", () => {
    expect(at("14:05 UTC", { zone: "local" })).toBe("2026-11-21T14:05:00.000Z");
    expect(at("14:05Z", { zone: "local" })).toBe("2026-11-21T14:05:00.000Z");
    expect(at("15:05 +01:00")).toBe("2026-11-21T14:05:00.000Z");
    expect(at("2026-11-21 09:05 -05:00")).toBe("2026-11-21T14:05:00.000Z");
  });

  it("refuses what it cannot read, with an example, instead of guessing", () => {
    // The review's case: a US-style date with spaces once put 202602 in the year.
    expect(refusal("11 21 2026 02 41")).toMatch(/is not a time hotdoc reads.*14:05 UTC/);
    expect(refusal("")).toMatch(/Type a time/);
    expect(refusal("ten past two")).toMatch(/not a time hotdoc reads/);
    expect(refusal("25:00")).toMatch(/not a time hotdoc reads/);
    expect(refusal("14:05 PST")).toMatch(/not a time hotdoc reads/);
    expect(refusal("11/21/2026 14:05")).toMatch(/not a time hotdoc reads/);
    expect(refusal("-10 min ago")).toMatch(/not a time hotdoc reads/);
    expect(refusal("2026-02-30 10:00")).toMatch(/not a date on the calendar/);
    expect(refusal("202602-11-21 14:05")).toMatch(/not a time hotdoc reads/);
    expect(refusal("99999999999 days ago")).toMatch(/too far/);
  });

  it("refuses an incident time that is still to come", () => {
    expect(refusal("in 10 min")).toMatch(/still to come/);
    expect(refusal("2026-11-22 10:00")).toMatch(/still to come/);
    expect(refusal("tomorrow 10:00")).toMatch(/still to come/);
    // A few seconds of clock difference between browser and server are still "now".
    expect(at("15:00:30")).toBe("2026-11-21T15:00:30.000Z");
  });
});

describe("writing a time (UTC choice)", () => {
  const opts = { zone: "utc" as const, now: NOW };
  it("is 24-hour, with the date only when it is not today", () => {
    expect(formatClock("2026-11-21T14:05:09Z", opts)).toBe("14:05");
    expect(formatClock("2026-11-21T23:05:09Z", { ...opts, seconds: true })).toBe("23:05:09");
    expect(formatClock("2026-11-20T02:05:00Z", opts)).toBe("Nov 20 02:05");
    expect(formatClock("2025-11-20T14:05:00Z", opts)).toBe("Nov 20 2025 14:05");
    expect(formatClock("2026-11-21T14:05:00Z", { ...opts, withDate: true })).toBe("Nov 21 14:05");
    expect(formatClock(null, opts)).toBe("—");
    expect(formatClock("not a time", opts)).toBe("—");
    for (const hour of [0, 9, 12, 13, 23]) {
      const text = formatClock(new Date(Date.UTC(2026, 10, 21, hour)), opts);
      expect(text).not.toMatch(/am|pm/i);
      expect(text).toBe(`${String(hour).padStart(2, "0")}:00`);
    }
  });

  it("writes a field's value so that typing it back gives the same instant", () => {
    for (const iso of ["2026-11-21T14:05:00.000Z", "2026-11-20T23:59:59.000Z"]) {
      for (const zone of ["utc", "local"] as const) {
        const text = formatForInput(iso, zone);
        expect(at(text, { zone })).toBe(iso);
      }
    }
    expect(formatForInput("2026-11-21T14:05:00Z", "utc")).toBe("2026-11-21 14:05");
    expect(formatForInput("2026-11-21T14:05:07Z", "utc")).toBe("2026-11-21 14:05:07");
    expect(formatForInput(null, "utc")).toBe("");
  });

  it("reads back what it writes for other days too", () => {
    const written = formatClock("2026-11-20T02:05:00Z", opts);
    expect(at(written)).toBe("2026-11-20T02:05:00.000Z");
  });
});

describe("the reader's own zone (TZ=Europe/Berlin)", () => {
  const saved = process.env.TZ;
  beforeAll(() => {
    // Node re-reads TZ when it is assigned, for every Date after it.
    process.env.TZ = "Europe/Berlin";
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it("is really running in Berlin", () => {
    expect(new Date(Date.UTC(2026, 0, 15, 12)).getTimezoneOffset()).toBe(-60);
    expect(new Date(Date.UTC(2026, 6, 15, 12)).getTimezoneOffset()).toBe(-120);
  });

  it("reads a clock time in the reader's zone, winter and summer", () => {
    const winter = new Date(2026, 10, 21, 16, 0);
    expect(at("14:05", { zone: "local", now: winter })).toBe(
      new Date(2026, 10, 21, 14, 5).toISOString(),
    );
    expect(at("14:05", { zone: "local", now: winter })).toBe("2026-11-21T13:05:00.000Z");
    const summer = new Date(2026, 6, 15, 16, 0);
    expect(at("14:05", { zone: "local", now: summer })).toBe("2026-07-15T12:05:00.000Z");
    // The same text in the UTC choice is another instant: 14:05 UTC is still to come at
    // 16:00 in Berlin (14:00 UTC), so it is yesterday's.
    expect(at("14:05", { zone: "utc", now: summer })).toBe("2026-07-14T14:05:00.000Z");
    expect(at("yesterday 23:50", { zone: "local", now: winter })).toBe(
      new Date(2026, 10, 20, 23, 50).toISOString(),
    );
  });

  it("on the morning the clocks go forward (Mar 29 2026), refuses the hour that never was", () => {
    const morning = new Date(2026, 2, 29, 10, 0); // 10:00 CEST
    expect(morning.toISOString()).toBe("2026-03-29T08:00:00.000Z");
    expect(at("01:30", { zone: "local", now: morning })).toBe(
      new Date(2026, 2, 29, 1, 30).toISOString(),
    );
    expect(at("01:30", { zone: "local", now: morning })).toBe("2026-03-29T00:30:00.000Z");
    expect(at("03:30", { zone: "local", now: morning })).toBe("2026-03-29T01:30:00.000Z");
    expect(refusal("02:30", { zone: "local", now: morning })).toMatch(/skipped that hour/);
    expect(refusal("2026-03-29 02:30", { zone: "local", now: morning })).toMatch(
      /skipped that hour/,
    );
    // With the offset written, the instant is unambiguous.
    expect(at("2026-03-29 02:30 +01:00", { zone: "local", now: morning })).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // Ten minutes ago is ten minutes of real time, across the change.
    expect(at("3h ago", { zone: "local", now: morning })).toBe("2026-03-29T05:00:00.000Z");
  });

  it("on the night the clocks go back (Oct 25 2026), reads the repeated hour as its first", () => {
    const morning = new Date("2026-10-25T09:00:00Z");
    expect(at("2026-10-25 02:30", { zone: "local", now: morning })).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(at("2026-10-25 02:30 +01:00", { zone: "local", now: morning })).toBe(
      "2026-10-25T01:30:00.000Z",
    );
    expect(formatClock("2026-10-25T01:30:00Z", { zone: "local", now: morning })).toBe("02:30");
    expect(formatClock("2026-10-25T00:30:00Z", { zone: "local", now: morning })).toBe("02:30");
  });

  it("writes times in the reader's zone and says which zone that is", () => {
    const now = new Date(2026, 10, 21, 16, 0);
    expect(formatClock("2026-11-21T13:05:00Z", { zone: "local", now })).toBe("14:05");
    expect(formatClock("2026-11-21T13:05:00Z", { zone: "utc", now })).toBe("13:05");
    expect(formatForInput("2026-11-21T13:05:00Z", "local")).toBe("2026-11-21 14:05");
    expect(zoneLabel("local", new Date(2026, 0, 15), "Europe/Berlin")).toBe(
      "Europe/Berlin (UTC+01:00)",
    );
    expect(zoneLabel("local", new Date(2026, 6, 15), "Europe/Berlin")).toBe(
      "Europe/Berlin (UTC+02:00)",
    );
    expect(zoneLabel("utc", now, "Europe/Berlin")).toBe("UTC");
  });
});

describe("resolving with a typed end of impact", () => {
  const actor = { name: "Priya", source: "editor" as const };
  const at20 = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute));
  function declared(): Y.Doc {
    const doc = new Y.Doc();
    initIncident(doc, {
      key: "HOT-7",
      summary: "Checkout down",
      severity: 2,
      actor,
      now: at20(5),
    });
    return doc;
  }

  it("keeps the typed end, and the start given with it, in one change", () => {
    const doc = declared();
    let transactions = 0;
    doc.on("afterTransaction", () => transactions++);
    setIncidentFields(
      doc,
      { endedAt: at20(40).toISOString(), startedAt: at20(1).toISOString(), status: "resolved" },
      actor,
      at20(55),
    );
    // One transaction: a peer never sees "resolved" without the end it was resolved with.
    expect(transactions).toBe(1);
    const incident = readIncident(doc);
    expect(incident.status).toBe("resolved");
    expect(incident.times.endedAt).toBe(at20(40).toISOString());
    expect(incident.times.startedAt).toBe(at20(1).toISOString());
  });

  it("a typed end wins over one filled in before", () => {
    const doc = declared();
    setIncidentFields(doc, { endedAt: at20(30).toISOString() }, actor, at20(31));
    setIncidentFields(
      doc,
      { endedAt: at20(45).toISOString(), status: "resolved" },
      actor,
      at20(50),
    );
    expect(readIncident(doc).times.endedAt).toBe(at20(45).toISOString());
  });

  it("a resolve without a time (the chat command) still stamps now", () => {
    const doc = declared();
    setStatus(doc, "resolved", actor, at20(50));
    expect(readIncident(doc).times.endedAt).toBe(at20(50).toISOString());
  });

  it("a refused resolve writes neither the end nor the status", () => {
    const doc = declared();
    setStatus(doc, "resolved", actor, at20(50));
    setStatus(doc, "closed", actor, at20(51));
    // closed → fixing is not a move the handbook allows.
    expect(() =>
      setIncidentFields(
        doc,
        { endedAt: at20(20).toISOString(), status: "fixing" },
        actor,
        at20(52),
      ),
    ).toThrow(/cannot move/);
    expect(readIncident(doc).times.endedAt).toBe(at20(50).toISOString());
  });
});
