import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ZodError } from "zod";
import { collection } from "#shared/doc/fields.ts";
import {
  addStream,
  appendTimelineEntry,
  applyTimelineRemovals,
  correctTimelineEntry,
  editTimelineEntry,
  initIncident,
  keepRemovedTextBlank,
  markTimelineEntryDeleted,
  readIncident,
  readTimeline,
  readTimelineEntry,
  removeTimelineEntry,
  type TimelineEntryInput,
  timelineRemovals,
} from "#shared/doc/index.ts";
import { DocumentRuleError } from "#shared/errors.ts";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";

const ALICE = { name: "Alice", source: "editor" as const };
const BOB = { name: "Bob", source: "editor" as const };
const T = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute));
const SECRET = "password=hunter2-7731";

function incident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-9",
    summary: "Checkout down",
    severity: 2,
    actor: ALICE,
    now: T(0),
  });
  return doc;
}

/** Whether `needle` occurs in the bytes (UTF-8) of a Yjs update. */
const holds = (update: Uint8Array, needle: string) =>
  Buffer.from(update).includes(Buffer.from(needle, "utf8"));

/** Everything a document has written, as one update (what a peer or the store would get). */
function recordUpdates(doc: Y.Doc): Uint8Array[] {
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  return updates;
}

describe("correcting timeline entries", () => {
  it("edits, re-times and marks a key event, recording who and when but never the old text", () => {
    const doc = incident();
    const { id } = appendTimelineEntry(doc, {
      author: "Bob",
      text: "db primary failed ovr",
      at: T(10).toISOString(),
    });
    const written = correctTimelineEntry(
      doc,
      id,
      { text: "db primary failed over", at: T(4).toISOString(), pinned: true },
      ALICE,
      T(20),
    );
    expect(written.map((c) => c.action)).toEqual(["edited", "retimed", "key"]);
    const entry = readTimelineEntry(doc, id);
    expect(entry).toMatchObject({
      text: "db primary failed over",
      at: T(4).toISOString(),
      pinned: true,
      author: "Bob",
      editedAt: T(20).toISOString(),
    });
    expect(entry?.corrections).toEqual([
      { by: "Alice", at: T(20).toISOString(), action: "edited" },
      { by: "Alice", at: T(20).toISOString(), action: "retimed", from: T(10).toISOString() },
      { by: "Alice", at: T(20).toISOString(), action: "key" },
    ]);
    expect(JSON.stringify(entry?.corrections)).not.toContain("ovr");
    // Re-timed: the entry moves in the time order.
    expect(readTimeline(doc).map((e) => e.id)).toContain(id);
    expect(readTimeline(doc).findIndex((e) => e.id === id)).toBe(1);

    // Unmarking adds to the history; the same values again write nothing at all.
    correctTimelineEntry(doc, id, { pinned: false }, BOB, T(21));
    const updates = recordUpdates(doc);
    expect(
      correctTimelineEntry(doc, id, { text: "db primary failed over", pinned: false }, BOB, T(22)),
    ).toEqual([]);
    expect(updates).toHaveLength(0);
    expect(readTimelineEntry(doc, id)?.corrections?.at(-1)).toEqual({
      by: "Bob",
      at: T(21).toISOString(),
      action: "unkey",
    });
  });

  it("refuses bad corrections and writes nothing", () => {
    const doc = incident();
    const { id } = appendTimelineEntry(doc, {
      author: "Bob",
      text: "keep me",
      at: T(10).toISOString(),
    });
    const updates = recordUpdates(doc);
    expect(() => correctTimelineEntry(doc, id, { text: "   " }, ALICE)).toThrow(ZodError);
    expect(() => correctTimelineEntry(doc, id, { at: "14:05" }, ALICE)).toThrow(ZodError);
    expect(() => correctTimelineEntry(doc, id, { text: "x", extra: 1 } as never, ALICE)).toThrow(
      ZodError,
    );
    expect(() =>
      correctTimelineEntry(doc, id, { text: "x" }, { name: "", source: "editor" }),
    ).toThrow(ZodError);
    expect(() => correctTimelineEntry(doc, "nope", { text: "x" }, ALICE)).toThrow(
      expect.objectContaining({ code: "record_not_found" }),
    );
    expect(() => removeTimelineEntry(doc, id, { reason: " " }, ALICE)).toThrow(ZodError);
    expect(() => removeTimelineEntry(doc, id, {} as never, ALICE)).toThrow(ZodError);
    expect(updates).toHaveLength(0);
    expect(readTimelineEntry(doc, id)).toMatchObject({ text: "keep me", pinned: false });
    expect(readTimelineEntry(doc, id)?.corrections).toBeUndefined();
  });

  it("removes an entry's text for a reason: gone from the encoded state of a collecting document", () => {
    const doc = incident();
    const { id } = appendTimelineEntry(doc, {
      author: "Bob",
      text: `oops ${SECRET}`,
      at: T(10).toISOString(),
    });
    expect(holds(Y.encodeStateAsUpdate(doc), SECRET)).toBe(true);
    const updates = recordUpdates(doc);
    removeTimelineEntry(doc, id, { reason: "pasted a credential" }, ALICE, T(30));

    const entry = readTimelineEntry(doc, id);
    expect(entry).toMatchObject({
      text: "",
      deleted: true,
      removal: { by: "Alice", at: T(30).toISOString(), reason: "pasted a credential" },
    });
    expect(entry?.corrections).toEqual([
      { by: "Alice", at: T(30).toISOString(), action: "deleted", reason: "pasted a credential" },
    ]);
    // The document collects garbage (as the server's does): the text is in no state encoded from it,
    expect(holds(Y.encodeStateAsUpdate(doc), SECRET)).toBe(false);
    // nor in the update that carried the removal to the others.
    expect(updates.some((u) => holds(u, SECRET))).toBe(false);

    // A removed entry is not corrected again, and a source edit does not bring text back.
    expect(() => correctTimelineEntry(doc, id, { text: "again" }, BOB)).toThrow(DocumentRuleError);
    expect(() => removeTimelineEntry(doc, id, { reason: "twice" }, BOB)).toThrow(
      expect.objectContaining({ code: "invalid_transition" }),
    );
    editTimelineEntry(doc, id, `edited at source ${SECRET}`, T(31));
    expect(readTimelineEntry(doc, id)?.text).toBe("");
    // The chat bridge's own deletion and redaction still work on it.
    markTimelineEntryDeleted(doc, id, T(32));
    editTimelineEntry(doc, id, "", T(32));
    expect(readTimelineEntry(doc, id)?.text).toBe("");
  });

  it("removes the text on a peer that had it, and merges corrections two people make at once", () => {
    const alice = incident();
    const { id } = appendTimelineEntry(alice, {
      author: "Bob",
      text: `oops ${SECRET}`,
      at: T(10).toISOString(),
    });
    correctTimelineEntry(alice, id, { pinned: true }, ALICE, T(11));
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    expect(holds(Y.encodeStateAsUpdate(bob), SECRET)).toBe(true);

    // Concurrently: Bob re-times while Alice removes the text.
    correctTimelineEntry(bob, id, { at: T(8).toISOString() }, BOB, T(12));
    removeTimelineEntry(alice, id, { reason: "secret" }, ALICE, T(12));
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob));
    for (const doc of [alice, bob]) {
      const entry = readTimelineEntry(doc, id);
      expect(entry?.text).toBe("");
      expect(entry?.at).toBe(T(8).toISOString());
      expect(entry?.corrections?.map((c) => `${c.by}:${c.action}`).sort()).toEqual([
        "Alice:deleted",
        "Alice:key",
        "Bob:retimed",
      ]);
      expect(holds(Y.encodeStateAsUpdate(doc), SECRET)).toBe(false);
    }
  });

  it("blanks text removed since in an older state of the document (time travel)", () => {
    const doc = incident();
    const { id } = appendTimelineEntry(doc, {
      author: "Bob",
      text: `oops ${SECRET}`,
      at: T(10).toISOString(),
    });
    appendTimelineEntry(doc, { author: "Bob", text: "unrelated", at: T(11).toISOString() });
    const past = Y.encodeStateAsUpdate(doc);
    removeTimelineEntry(doc, id, { reason: "pasted a credential" }, ALICE, T(30));

    const removals = timelineRemovals(doc);
    expect([...removals.keys()]).toEqual([id]);
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, past);
    expect(readTimelineEntry(rebuilt, id)?.text).toContain(SECRET);
    applyTimelineRemovals(rebuilt, removals);
    expect(readTimelineEntry(rebuilt, id)).toMatchObject({
      text: "",
      deleted: true,
      removal: { by: "Alice", reason: "pasted a credential" },
    });
    expect(readTimeline(rebuilt).map((e) => e.text)).toContain("unrelated");
    expect(holds(Y.encodeStateAsUpdate(rebuilt), SECRET)).toBe(false);
    // An instant before the entry existed has nothing to blank, and gets no stray record.
    const empty = new Y.Doc();
    Y.applyUpdate(empty, Y.encodeStateAsUpdate(incident()));
    applyTimelineRemovals(empty, removals);
    expect(readTimelineEntry(empty, id)).toBeUndefined();
  });

  it("exports a removal in place of the text, and marks corrections", () => {
    const doc = incident();
    const secret = appendTimelineEntry(doc, {
      author: "Bob",
      text: `oops ${SECRET}`,
      at: T(10).toISOString(),
      pinned: true,
    }).id;
    const fixed = appendTimelineEntry(doc, {
      author: "Bob",
      text: "rollbak",
      at: T(12).toISOString(),
    }).id;
    correctTimelineEntry(doc, fixed, { text: "rollback", at: T(11).toISOString() }, ALICE, T(20));
    removeTimelineEntry(doc, secret, { reason: "pasted a credential" }, ALICE, T(21));
    // Even were the text still there (a client that set the removal only), the export leaves it out.
    collection(doc, "timeline").get(secret)?.set("text", `again ${SECRET}`);

    const pm = buildPostmortem(doc);
    expect(JSON.stringify(pm)).not.toContain(SECRET);
    expect(pm.keyEvents.map((e) => e.text)).not.toContain("");
    for (const format of ["html", "confluence", "json"] as const)
      expect(render(pm, format)).not.toContain(SECRET);
    const markdown = render(pm, "markdown");
    expect(markdown).not.toContain(SECRET);
    expect(markdown).toContain(
      "Entry removed by Alice at 2026-11-20 14:21:00 UTC: pasted a credential",
    );
    expect(markdown).toContain(
      "rollback (edited by Alice at 2026-11-20 14:20:00 UTC; re-timed by Alice at 2026-11-20 14:20:00 UTC (was 2026-11-20 14:12:00 UTC))",
    );
  });

  it("reads entries stored before corrections existed, and survives malformed corrections", () => {
    const doc = incident();
    const records = collection(doc, "timeline");
    const old = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({
      id: "old1",
      at: T(3).toISOString(),
      author: "Bob",
      source: "slack",
      kind: "chat",
      text: "from before",
      pinned: false,
    }))
      old.set(k, v);
    records.set("old1", old);
    expect(readTimelineEntry(doc, "old1")).toMatchObject({ text: "from before" });
    expect(readTimelineEntry(doc, "old1")?.corrections).toBeUndefined();
    // A chat entry is corrected like any other.
    correctTimelineEntry(doc, "old1", { text: "from before (fixed)" }, ALICE, T(20));
    expect(readTimelineEntry(doc, "old1")?.corrections).toHaveLength(1);

    const hostile = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({
      id: "bad1",
      at: T(4).toISOString(),
      author: "Eve",
      source: "editor",
      kind: "note",
      text: "still shown",
      pinned: false,
      corrections: [{ by: "x", at: "not a time", action: "edited" }, 42],
      removal: { by: "x" },
    }))
      hostile.set(k, v);
    records.set("bad1", hostile);
    const read = readTimelineEntry(doc, "bad1");
    expect(read).toMatchObject({ text: "still shown", corrections: [] });
    expect(read?.removal).toBeUndefined();
    expect(timelineRemovals(doc).size).toBe(0);
    // Correcting it replaces the malformed list with a real one.
    correctTimelineEntry(doc, "bad1", { pinned: true }, ALICE, T(20));
    expect(readTimelineEntry(doc, "bad1")?.corrections).toEqual([
      { by: "Alice", at: T(20).toISOString(), action: "key" },
    ]);
  });
});

describe("a removal meeting an edit made at the same time", () => {
  /**
   * Alice removes an entry while Bob, offline, edits its text (the secret still in it).
   * Yjs settles two concurrent writes of one map key by client id (the higher wins), so
   * each test runs with Bob's edit winning, the case where the text came back.
   */
  function concurrentEditAndRemoval(
    setUp: (doc: Y.Doc) => Partial<TimelineEntryInput> = () => ({}),
  ) {
    const alice = incident();
    alice.clientID = 1;
    const { id } = appendTimelineEntry(alice, {
      author: "Bob",
      text: `oops ${SECRET}`,
      at: T(10).toISOString(),
      ...setUp(alice),
    });
    // The entry already has a correction list: two *first* corrections made at once race
    // to create it, one list winning (see appendCorrections), which is not what is tested.
    correctTimelineEntry(alice, id, { pinned: true }, ALICE, T(10));
    const bob = new Y.Doc();
    bob.clientID = 2;
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    correctTimelineEntry(bob, id, { text: `oops, typo ${SECRET}` }, BOB, T(11));
    removeTimelineEntry(alice, id, { reason: "pasted a credential" }, ALICE, T(12));
    const fromBob = Y.encodeStateAsUpdate(bob);
    const fromAlice = Y.encodeStateAsUpdate(alice);
    return { alice, bob, id, fromBob, fromAlice };
  }
  const storedText = (doc: Y.Doc, id: string) => collection(doc, "timeline").get(id)?.get("text");

  it("reads the entry blank wherever the edit's text won: page state, REST reads and every export", () => {
    // A role entry of a work stream: the postmortem lists it in the role history and under the stream.
    const { alice, bob, id, fromBob, fromAlice } = concurrentEditAndRemoval((doc) => ({
      kind: "role",
      streamId: addStream(doc, { name: "Database", techLead: "Cara" }, ALICE, T(1)),
    }));
    Y.applyUpdate(alice, fromBob);
    Y.applyUpdate(bob, fromAlice);
    for (const doc of [alice, bob]) {
      // The stored text is the edit's (this is the race being tested)…
      expect(storedText(doc, id)).toContain(SECRET);
      // …and no reader shows it.
      expect(readTimelineEntry(doc, id)).toMatchObject({
        text: "",
        deleted: true,
        removal: { by: "Alice", reason: "pasted a credential" },
      });
      expect(JSON.stringify(readIncident(doc))).not.toContain(SECRET);
      const pm = buildPostmortem(doc);
      expect(pm.roleHistory.length).toBeGreaterThan(0);
      expect(pm.streams.flatMap((s) => s.tagged).length).toBeGreaterThan(0);
      expect(JSON.stringify(pm)).not.toContain(SECRET);
      for (const format of ["markdown", "html", "confluence", "json"] as const)
        expect(render(pm, format)).not.toContain(SECRET);
    }
  });

  it("blanks the stored text again where it is watched (the server), and the blanking reaches the peer", () => {
    const { alice: server, bob, id, fromBob, fromAlice } = concurrentEditAndRemoval();
    const origin = { source: "local" };
    const written: unknown[] = [];
    server.on("update", (_u: Uint8Array, o: unknown) => written.push(o));
    const stop = keepRemovedTextBlank(server, origin);
    Y.applyUpdate(server, fromBob);
    expect(storedText(server, id)).toBe("");
    expect(written).toEqual([null, origin]);
    expect(holds(Y.encodeStateAsUpdate(server), SECRET)).toBe(false);
    // Bob receives the server's state (the removal and the second blanking).
    Y.applyUpdate(bob, fromAlice);
    expect(storedText(bob, id)).toContain(SECRET);
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(server));
    expect(storedText(bob, id)).toBe("");
    expect(holds(Y.encodeStateAsUpdate(bob), SECRET)).toBe(false);
    // An ordinary edit of another entry writes nothing more.
    const other = appendTimelineEntry(server, { author: "Bob", text: "fine" }).id;
    correctTimelineEntry(server, other, { text: "fine, really" }, BOB);
    expect(written.filter((o) => o === origin)).toHaveLength(1);
    stop();
  });

  it("blanks, on watching, a document stored with the text back", () => {
    const { alice, id, fromBob } = concurrentEditAndRemoval();
    Y.applyUpdate(alice, fromBob);
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, Y.encodeStateAsUpdate(alice));
    expect(storedText(loaded, id)).toContain(SECRET);
    keepRemovedTextBlank(loaded, "server")();
    expect(storedText(loaded, id)).toBe("");
  });

  it("lets a removed entry whose text came back be removed again, and only then", () => {
    const { alice, id, fromBob } = concurrentEditAndRemoval();
    Y.applyUpdate(alice, fromBob);
    expect(storedText(alice, id)).toContain(SECRET);
    removeTimelineEntry(alice, id, { reason: "it came back" }, BOB, T(13));
    expect(storedText(alice, id)).toBe("");
    expect(holds(Y.encodeStateAsUpdate(alice), SECRET)).toBe(false);
    const entry = readTimelineEntry(alice, id);
    // The first removal still says who removed the text and why; the second is a correction.
    expect(entry?.removal).toMatchObject({ by: "Alice", reason: "pasted a credential" });
    const corrections = entry?.corrections?.map((c) => `${c.by}:${c.action}:${c.reason ?? ""}`);
    expect(corrections?.at(-1)).toBe("Bob:deleted:it came back");
    expect(corrections?.sort()).toEqual([
      "Alice:deleted:pasted a credential",
      "Alice:key:",
      "Bob:deleted:it came back",
      "Bob:edited:",
    ]);
    // Blank again, there is nothing left to remove, and it is not corrected.
    expect(() => removeTimelineEntry(alice, id, { reason: "thrice" }, BOB)).toThrow(
      expect.objectContaining({ code: "invalid_transition" }),
    );
    expect(() => correctTimelineEntry(alice, id, { text: "back" }, BOB)).toThrow(
      expect.objectContaining({ code: "invalid_transition" }),
    );
  });
});
