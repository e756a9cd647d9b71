import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addStream,
  appendTimelineEntry,
  correctTimelineEntry,
  initIncident,
  keepRemovedTextBlank,
  migrate,
  onTimelineAdded,
  readIncident,
  readStreams,
  readTimelineEntry,
  removeTimelineEntry,
  SCHEMA_VERSION,
  schemaVersion,
  setStreamLead,
} from "#shared/doc/index.ts";
import { insertRecord, PACKED_KEY, readRecord, updateRecord } from "#shared/doc/records.ts";

const actor = { name: "Dana", source: "editor" as const };
const at = new Date("2026-11-22T03:00:00.000Z");

function incident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, { key: "HOT-7", summary: "Checkout errors", severity: 1, actor });
  return doc;
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function recordMap(doc: Y.Doc, collection: string, id: string): Y.Map<unknown> {
  const map = doc.getMap<Y.Map<unknown>>(collection).get(id);
  if (!(map instanceof Y.Map)) throw new Error(`no ${collection} record ${id}`);
  return map;
}

/** A timeline entry as hotdoc wrote it before schema version 2: one key per field. */
function writeLooseEntry(doc: Y.Doc, id: string, text: string): void {
  const map = new Y.Map<unknown>();
  doc.transact(() => {
    doc.getMap("timeline").set(id, map);
    map.set("id", id);
    map.set("at", "2026-11-22T02:00:00.000Z");
    map.set("author", "Old server");
    map.set("source", "slack");
    map.set("kind", "chat");
    map.set("text", text);
    map.set("pinned", false);
  });
}

describe("packed records (schema version 2)", () => {
  it("writes a new record as one packed value and reads it back whole", () => {
    const doc = incident();
    const { id } = appendTimelineEntry(
      doc,
      { author: "Ana", source: "slack", kind: "chat", text: "db lag 40s", at: at.toISOString() },
      at,
    );
    // Its text is a key of its own, so that removing it leaves nothing behind.
    expect([...recordMap(doc, "timeline", id).keys()].sort()).toEqual([PACKED_KEY, "text"]);
    expect(readTimelineEntry(doc, id)).toMatchObject({
      id,
      author: "Ana",
      source: "slack",
      kind: "chat",
      text: "db lag 40s",
      pinned: false,
      at: at.toISOString(),
    });
  });

  it("merges concurrent edits of different fields of one record, made on two copies", () => {
    const a = incident();
    const { id } = appendTimelineEntry(
      a,
      {
        author: "Ana",
        source: "editor",
        kind: "note",
        text: "rollback started",
        at: at.toISOString(),
      },
      at,
    );
    // A first correction makes the entry's correction list (timeline.ts says why).
    correctTimelineEntry(a, id, { at: "2026-11-22T02:59:00.000Z" }, actor, at);
    const b = new Y.Doc();
    sync(a, b);
    correctTimelineEntry(a, id, { text: "rollback of v42 started" }, actor, at);
    correctTimelineEntry(b, id, { pinned: true }, { name: "Lee", source: "editor" }, at);
    sync(a, b);
    for (const doc of [a, b]) {
      const entry = readTimelineEntry(doc, id);
      expect(entry).toMatchObject({
        text: "rollback of v42 started",
        pinned: true,
        at: "2026-11-22T02:59:00.000Z",
      });
      // Both corrections stay in the history, whichever copy wrote first.
      expect(entry?.corrections?.map((c) => c.action).sort()).toEqual(["edited", "key", "retimed"]);
    }
    expect(readIncident(a)).toEqual(readIncident(b));
  });

  it("clears a field written packed, and the record still reads as valid", () => {
    const doc = incident();
    const id = addStream(doc, { name: "Database", techLead: "Ana" }, actor, at);
    expect(readStreams(doc).find((s) => s.id === id)?.leadSince).toBe(at.toISOString());
    setStreamLead(doc, id, "", actor, at);
    const stream = readStreams(doc).find((s) => s.id === id);
    expect(stream).toBeDefined();
    expect(stream?.techLead).toBe("");
    expect(stream && "leadSince" in stream).toBe(false);
  });

  it("leaves no trace of a packed field's old value once it is edited or cleared", () => {
    const doc = incident();
    insertRecord(doc, "observations", {
      id: "obs-1",
      at: at.toISOString(),
      author: "Ana",
      text: "token sk_live_SECRET in the logs",
      confirmed: false,
      streamId: undefined,
    });
    updateRecord(doc, "observations", "obs-1", { text: "a token in the logs" });
    expect(readRecord(doc, "observations", "obs-1")).toMatchObject({
      text: "a token in the logs",
      author: "Ana",
    });
    expect(Buffer.from(Y.encodeStateAsUpdate(doc)).includes("sk_live_SECRET")).toBe(false);
    // The same for a field cleared, even when another copy rewrote the packed value
    // concurrently (its edit of another field wins or loses that race, never the clear).
    const id = addStream(doc, { name: "Payments", techLead: "Ana" }, actor, at);
    const other = new Y.Doc();
    sync(doc, other);
    setStreamLead(doc, id, "", actor, at);
    updateRecord(other, "streams", id, { name: "Payments API" });
    sync(doc, other);
    for (const copy of [doc, other]) {
      const stream = readStreams(copy).find((s) => s.id === id);
      expect(stream).toMatchObject({ name: "Payments API", techLead: "" });
      expect(stream && "leadSince" in stream).toBe(false);
    }
  });

  it("reads records written before version 2 the same way, and edits them in place", () => {
    const doc = incident();
    writeLooseEntry(doc, "old-1", "written by hotdoc v1");
    expect(readTimelineEntry(doc, "old-1")).toMatchObject({ text: "written by hotdoc v1" });
    correctTimelineEntry(doc, "old-1", { text: "corrected" }, actor, at);
    expect(readTimelineEntry(doc, "old-1")).toMatchObject({ text: "corrected" });
    expect(recordMap(doc, "timeline", "old-1").has(PACKED_KEY)).toBe(false);
  });

  it("migrates a version-1 document without rewriting its records, so every earlier state reads as it did", () => {
    const doc = incident();
    doc.getMap("meta").set("schemaVersion", 1);
    writeLooseEntry(doc, "old-1", "before the upgrade");
    const before = readIncident(doc);
    const beforeUpdate = Y.encodeStateAsUpdate(doc);
    expect(migrate(doc)).toEqual({ from: 1, to: SCHEMA_VERSION });
    expect(schemaVersion(doc)).toBe(2);
    expect(readIncident(doc)).toEqual({ ...before, schemaVersion: 2 });
    // The old state, rebuilt from the log as time travel does, still reads the same.
    const past = new Y.Doc();
    Y.applyUpdate(past, beforeUpdate);
    expect(readIncident(past)).toEqual(before);
  });

  it("keeps removed text blank when a concurrent edit brings it back to a packed entry", () => {
    const server = incident();
    const stop = keepRemovedTextBlank(server, "server");
    const { id } = appendTimelineEntry(
      server,
      {
        author: "Ana",
        source: "editor",
        kind: "note",
        text: "password=hunter2",
        at: at.toISOString(),
      },
      at,
    );
    const offline = new Y.Doc();
    sync(server, offline);
    removeTimelineEntry(server, id, { reason: "a secret" }, actor, at);
    correctTimelineEntry(offline, id, { text: "password=hunter2 (rotated)" }, actor, at);
    sync(server, offline);
    // The server blanked it again as it merged; that reaches the other copy next.
    sync(server, offline);
    for (const doc of [server, offline]) {
      expect(readTimelineEntry(doc, id)).toMatchObject({ text: "", deleted: true });
      expect(JSON.stringify(doc.getMap("timeline").toJSON())).not.toContain("hunter2");
    }
    stop();
  });

  it("passes only the asked kinds of new entries to a filtered listener, packed or written before version 2", () => {
    const doc = incident();
    const seen: string[] = [];
    const all: string[] = [];
    const stopSome = onTimelineAdded(
      doc,
      (entries) => seen.push(...entries.map((e) => e.text)),
      new Set(["severity", "chat"]),
    );
    const stopAll = onTimelineAdded(doc, (entries) => all.push(...entries.map((e) => e.text)));
    doc.transact(() => {
      appendTimelineEntry(doc, { author: "Dana", text: "a note", kind: "note" }, at);
      appendTimelineEntry(doc, { author: "Dana", text: "SEV1 now", kind: "severity" }, at);
    });
    writeLooseEntry(doc, "old-1", "an old chat line");
    expect(seen).toEqual(["SEV1 now", "an old chat line"]);
    expect(all.sort()).toEqual(["SEV1 now", "a note", "an old chat line"]);
    stopSome();
    stopAll();
  });
});
