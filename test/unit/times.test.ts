import { describe, expect, it } from "vitest";
import { durations, formatDuration } from "#shared/doc/index.ts";

describe("TTD and TTR", () => {
  const start = "2026-11-20T10:00:00.000Z";
  it("derives TTD from detection and TTR from end of impact", () => {
    expect(
      durations({
        startedAt: start,
        detectedAt: "2026-11-20T10:12:00Z",
        endedAt: "2026-11-20T11:30:00Z",
      }),
    ).toEqual({
      ttdMs: 12 * 60_000,
      ttrMs: 90 * 60_000,
      ttrOngoing: false,
    });
  });
  it("states a duration as unknown when a time is missing, never as zero", () => {
    expect(
      durations({ startedAt: null, detectedAt: "2026-11-20T10:12:00Z", endedAt: null }),
    ).toEqual({ ttdMs: null, ttrMs: null, ttrOngoing: false });
    expect(formatDuration(null)).toBe("unknown");
  });
  it("runs TTR live up to now while impact goes on", () => {
    const now = new Date("2026-11-20T10:45:00Z");
    expect(durations({ startedAt: start, detectedAt: null, endedAt: null }, now)).toEqual({
      ttdMs: null,
      ttrMs: 45 * 60_000,
      ttrOngoing: true,
    });
  });
  it("formats durations for people", () => {
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(12 * 60_000 + 5_000)).toBe("12m 05s");
    expect(formatDuration(65 * 60_000)).toBe("1h 05m");
    expect(formatDuration(26 * 3_600_000)).toBe("1d 2h 00m");
    expect(formatDuration(-90_000)).toBe("-1m 30s");
  });
});
