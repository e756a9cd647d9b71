import * as encoding from "lib0/encoding";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  acknowledgement,
  isSyncStep1,
  UnsavedChanges,
} from "../../client/src/hooks/unsavedChanges.ts";

/** A Hocuspocus frame for `doc`: its name, then varUints. */
function frame(doc: string, ...numbers: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, doc);
  for (const n of numbers) encoding.writeVarUint(encoder, n);
  return encoding.toUint8Array(encoder);
}

describe("the count of changes the server has not acknowledged", () => {
  let unsaved: UnsavedChanges;
  beforeEach(() => {
    vi.useFakeTimers();
    unsaved = new UnsavedChanges();
  });
  afterEach(() => {
    unsaved.dispose();
    vi.useRealTimers();
  });

  it("holds changes made offline until the sync that carries them is acknowledged", () => {
    unsaved.held();
    unsaved.held();
    unsaved.held();
    expect(unsaved.count()).toBe(3);
    // Reconnected: a change typed before the server's step 1 arrives goes on its own,
    // ahead of the sync step 2 that carries the three held ones.
    unsaved.sent();
    unsaved.syncSent();
    expect(unsaved.count()).toBe(4);
    unsaved.acknowledged(true);
    expect(unsaved.count()).toBe(3);
    unsaved.acknowledged(true);
    expect(unsaved.count()).toBe(0);
  });

  it("puts back what was in flight on a socket that closed, and what the server refused", () => {
    unsaved.sent();
    unsaved.sent();
    unsaved.acknowledged(true);
    unsaved.socketClosed();
    expect(unsaved.count()).toBe(1);
    unsaved.syncSent();
    unsaved.acknowledged(false);
    expect(unsaved.count()).toBe(1);
    // An acknowledgement with nothing in flight changes nothing.
    unsaved.acknowledged(true);
    expect(unsaved.count()).toBe(1);
  });

  it("shows every change while not online, and while online only those waiting past a round trip", () => {
    const listener = vi.fn();
    unsaved.subscribe(listener);
    unsaved.sent();
    vi.advanceTimersByTime(300);
    expect(unsaved.shown(false)).toBe(1);
    expect(unsaved.shown(true)).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(unsaved.shown(true)).toBe(1);
    unsaved.acknowledged(true);
    vi.advanceTimersByTime(300);
    expect(unsaved.shown(true)).toBe(0);
    expect(unsaved.shown(false)).toBe(0);
    // Published at most every 200 ms however many changes come: one notice for a burst.
    listener.mockClear();
    for (let i = 0; i < 50; i++) unsaved.held();
    vi.advanceTimersByTime(250);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(unsaved.shown(false)).toBe(50);
  });

  it("reads the frames it follows, and nothing else as them", () => {
    expect(isSyncStep1(frame("HOT-1", 0, 0, 0))).toBe(true);
    expect(isSyncStep1(frame("HOT-1", 0, 1, 0))).toBe(false);
    expect(isSyncStep1(new Uint8Array([9]))).toBe(false);
    expect(acknowledgement(frame("HOT-1", 8, 1))).toBe(true);
    expect(acknowledgement(frame("HOT-1", 8, 0))).toBe(false);
    expect(acknowledgement(frame("HOT-1", 1, 0))).toBe(null);
    expect(acknowledgement(new Uint8Array([9]))).toBe(null);
  });
});
