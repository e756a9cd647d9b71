import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  addObservation,
  addStream,
  appendTimelineEntry,
  assignRole,
  correctTimelineEntry,
  initIncident,
  readIncident,
  recordChange,
  removeTimelineEntry,
  setChangeState,
  setRecordStream,
  setRichTextPlain,
} from "#shared/doc/index.ts";
import { IncidentReader } from "../../client/src/hooks/incidentReader.ts";
import { timelineFacets } from "../../client/src/hooks/timelineFacets.ts";

const actor = { name: "Ana", source: "editor" as const };

/** The incremental reader must read exactly what `readIncident` reads, after every kind of change. */
describe("IncidentReader", () => {
  it("reads what readIncident reads, step by step, local and remote, and re-parses only what changed", () => {
    const doc = new Y.Doc();
    let calls = 0;
    const reader = new IncidentReader(doc, () => calls++);
    expect(reader.read()).toBeNull();
    initIncident(doc, { key: "INC-1", summary: "Down", severity: 2, actor });
    const check = () => expect(reader.read()).toEqual(readIncident(doc));
    check();

    for (let i = 0; i < 40; i++)
      appendTimelineEntry(doc, {
        author: "bob",
        kind: "chat",
        source: "slack",
        text: `message ${i % 7}`,
        // Out of order and with ties, so the insertion order matters.
        at: new Date(Date.UTC(2026, 0, 1, 10, 0, (i * 7) % 13)).toISOString(),
      });
    check();
    const first = reader.read();
    // Nothing changed: the same object.
    expect(reader.read()).toBe(first);

    // One more entry: the unchanged sections keep their identity.
    const id = appendTimelineEntry(doc, {
      author: "bob",
      kind: "chat",
      text: "late",
      at: "2026-01-01T10:00:05.000Z",
    }).id;
    check();
    const second = reader.read();
    expect(second?.changes).toBe(first?.changes);
    expect(second?.roles).toBe(first?.roles);
    expect(second?.timeline).not.toBe(first?.timeline);

    // Edits inside a record (a correction adds a nested Y.Array), a removal, a re-timing.
    correctTimelineEntry(doc, id, { text: "later", at: "2026-01-01T09:00:00.000Z" }, actor);
    check();
    removeTimelineEntry(doc, id, { reason: "pasted a secret" }, actor);
    check();

    // Records other sections show, streams and the timeline entries that stand for them.
    const streamId = addStream(doc, { name: "db", techLead: "Cy" }, actor);
    const obs = addObservation(doc, { author: "Ana", text: "p99 up" });
    const change = recordChange(doc, { author: "Ana", what: "rolled back" });
    check();
    setRecordStream(doc, "observations", obs, streamId);
    setChangeState(doc, change, "reverted", actor);
    assignRole(doc, { role: "incident_manager", holder: "Dee" }, actor);
    setRichTextPlain(doc, "description", "what we know");
    setRichTextPlain(doc, "notes", "typed notes");
    check();

    // A record any CRDT client could write: invalid, then stored under another key.
    const bad = new Y.Map<unknown>();
    doc.getMap("timeline").set("bad", bad);
    bad.set("id", "bad");
    check();
    const wrongKey = new Y.Map<unknown>();
    doc.getMap("timeline").set("elsewhere", wrongKey);
    for (const [k, v] of Object.entries({
      id: "x",
      at: "2026-01-01T10:00:00.000Z",
      author: "a",
      source: "slack",
      kind: "chat",
      text: "t",
      pinned: false,
    }))
      wrongKey.set(k, v);
    check();

    // Remote updates from another replica, applied as the provider does.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    other.on("update", (update: Uint8Array) => Y.applyUpdate(doc, update));
    for (let i = 0; i < 5; i++)
      appendTimelineEntry(other, { author: "eve", kind: "chat", text: `remote ${i}` });
    check();
    doc.getMap("timeline").delete(id);
    check();
    expect(calls).toBeGreaterThan(0);
    reader.destroy();
    const before = calls;
    appendTimelineEntry(doc, { author: "bob", kind: "chat", text: "unwatched" });
    expect(calls).toBe(before);
  });

  it("does not call back for a change to the notes alone", () => {
    const doc = new Y.Doc();
    initIncident(doc, { key: "INC-2", summary: "Slow", severity: 3, actor });
    let calls = 0;
    const reader = new IncidentReader(doc, () => calls++);
    reader.read();
    setRichTextPlain(doc, "notes", "just typing");
    expect(calls).toBe(0);
    appendTimelineEntry(doc, { author: "bob", kind: "chat", text: "hi" });
    expect(calls).toBe(1);
    expect(reader.read()?.notes).toBe("just typing");
  });

  it("puts new entries into the last timeline, as readIncident orders and tags them, with its facets", () => {
    const doc = new Y.Doc();
    initIncident(doc, { key: "INC-3", summary: "Flood", severity: 1, actor });
    const reader = new IncidentReader(doc, () => {});
    const streamId = addStream(doc, { name: "db", techLead: "Cy" }, actor);
    const obs = addObservation(doc, { author: "Ana", text: "p99 up" });
    setRecordStream(doc, "observations", obs, streamId);
    for (let i = 0; i < 300; i++)
      appendTimelineEntry(doc, { author: "bob", kind: "chat", source: "slack", text: `m ${i}` });
    const check = () => {
      const read = reader.read();
      const fromScratch = readIncident(doc);
      expect(read).toEqual(fromScratch);
      // The facets the reader carried over are the ones a walk over the timeline finds.
      const facets = timelineFacets(read?.timeline ?? []);
      const kinds = new Set(fromScratch?.timeline.map((e) => e.kind));
      const sources = new Set(fromScratch?.timeline.map((e) => e.source));
      expect(facets.kinds).toEqual(kinds);
      expect(facets.sources).toEqual(sources);
      return read;
    };
    let last = check();
    // A seeded walk: each round adds a few entries (out of time order, with ties, of new
    // kinds and sources, one standing for the tagged observation) and sometimes also
    // corrects, removes or re-adds what it just added, before the next read.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const kinds = ["chat", "note", "decision", "observation"] as const;
    const sources = ["slack", "mattermost", "editor", "api"] as const;
    for (let round = 0; round < 60; round++) {
      const ids: string[] = [];
      for (let j = 0, n = 1 + rand(3); j < n; j++)
        ids.push(
          appendTimelineEntry(doc, {
            author: "eve",
            kind: kinds[rand(kinds.length)],
            source: sources[rand(sources.length)],
            text: `r${round} e${j}`,
            at: new Date(Date.UTC(2026, 0, 1, 10, 0, rand(50))).toISOString(),
            ...(rand(4) === 0 ? { ref: { collection: "observations" as const, id: obs } } : {}),
          }).id,
        );
      const edit = rand(6);
      if (edit === 0) correctTimelineEntry(doc, ids[0], { text: "fixed" }, actor);
      if (edit === 1) doc.getMap("timeline").delete(ids[0]);
      const before = last;
      last = check();
      // Only additions: every entry read before is the same object as before.
      if (edit > 1 && before && last) {
        const kept = new Set(last.timeline);
        expect(before.timeline.every((e) => kept.has(e))).toBe(true);
      }
    }
    // A record changing stream re-tags the entries that stand for it.
    setRecordStream(doc, "observations", obs, null);
    check();
  });
});
