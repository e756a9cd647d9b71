import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type CollectionName, collection } from "#shared/doc/fields.ts";
import {
  type Actor,
  addExperiment,
  addFollowUp,
  addObservation,
  addStream,
  addTheory,
  appendTimelineEntry,
  assignRole,
  concernsWholeIncident,
  editRecord,
  findStream,
  initIncident,
  quickAdd,
  readIncident,
  recordChange,
  renameStream,
  setRecordStream,
  setSeverity,
  setStatus,
  setStreamLead,
  setStreamState,
  streamLeadRoleId,
  unassignRole,
} from "#shared/doc/index.ts";
import { readRecord } from "#shared/doc/records.ts";
import { DocumentRuleError } from "#shared/errors.ts";

const priya: Actor = { name: "Priya", source: "editor" };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute));

function incident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-7",
    summary: "Checkout fails",
    severity: 2,
    actor: priya,
    now: at(0),
  });
  return doc;
}

/** Runs `write`, expects it to throw a document rule error, and checks it changed nothing. */
function refused(doc: Y.Doc, write: () => unknown): DocumentRuleError {
  const before = Y.encodeStateAsUpdate(doc);
  let thrown: unknown;
  try {
    write();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DocumentRuleError);
  expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  return thrown as DocumentRuleError;
}

describe("work streams", () => {
  it("a new stream and its lead's role are written in one transaction, and the lead reads as 'Tech lead · <stream>'", () => {
    const doc = incident();
    let transactions = 0;
    doc.on("afterTransaction", () => transactions++);
    const id = addStream(doc, { name: "Database failover", techLead: "Ana" }, priya, at(5));
    expect(transactions).toBe(1);

    const read = readIncident(doc);
    expect(read.streams).toEqual([
      {
        id,
        name: "Database failover",
        techLead: "Ana",
        state: "active",
        at: at(5).toISOString(),
        author: "Priya",
        leadSince: at(5).toISOString(),
      },
    ]);
    expect(read.roles).toContainEqual({
      id: streamLeadRoleId(id),
      role: "tech_lead",
      holder: "Ana",
      since: at(5).toISOString(),
      streamId: id,
    });
    expect(read.timeline.at(-1)).toMatchObject({
      kind: "role",
      text: "Ana is Tech lead · Database failover (new work stream)",
      streamId: id,
      ref: { collection: "roles", id: streamLeadRoleId(id) },
    });
  });

  it("a stream may start without a lead, and gets one later", () => {
    const doc = incident();
    const id = addStream(doc, { name: "Comms with the bank" }, priya, at(5));
    expect(readIncident(doc).roles.filter((r) => r.streamId === id)).toEqual([]);
    setStreamLead(doc, id, "Dana", priya, at(6));
    expect(readIncident(doc).roles.find((r) => r.streamId === id)?.holder).toBe("Dana");
    expect(readIncident(doc).timeline.at(-1)?.text).toBe("Dana is Tech lead · Comms with the bank");
  });

  it("refuses a name another stream has (whatever its case and spacing), or one with brackets, and writes nothing", () => {
    const doc = incident();
    addStream(doc, { name: "Database failover", techLead: "Ana" }, priya);
    const taken = refused(doc, () =>
      addStream(doc, { name: "database  FAILOVER", techLead: "Bo" }, priya),
    );
    expect(taken.code).toBe("name_taken");
    expect(taken.field).toBe("name");
    const before = Y.encodeStateAsUpdate(doc);
    expect(() => addStream(doc, { name: "db [eu]", techLead: "Bo" }, priya)).toThrow(/brackets/);
    expect(() => addStream(doc, { name: "  ", techLead: "Bo" }, priya)).toThrow();
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it("renames a stream: its lead's role and everything tagged follow, since they hold its id", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    const other = addStream(doc, { name: "Cache", techLead: "Bo" }, priya, at(5));
    const obs = addObservation(
      doc,
      { author: "Ana", text: "replica lag 40s", streamId: id },
      at(6),
    );
    renameStream(doc, id, "Database failover", priya, at(7));
    const read = readIncident(doc);
    expect(read.streams.find((s) => s.id === id)?.name).toBe("Database failover");
    expect(read.observations.find((o) => o.id === obs)?.streamId).toBe(id);
    expect(read.timeline.at(-1)).toMatchObject({
      kind: "note",
      text: "Work stream DB renamed to Database failover",
      streamId: id,
    });
    expect(refused(doc, () => renameStream(doc, other, "database failover", priya)).code).toBe(
      "name_taken",
    );
    expect(refused(doc, () => renameStream(doc, "nope", "x", priya)).code).toBe("record_not_found");
  });

  it("hands a stream over to a new lead, or leaves it without one", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    setStreamLead(doc, id, "Bo", priya, at(8));
    let read = readIncident(doc);
    expect(read.streams[0].techLead).toBe("Bo");
    expect(read.roles.filter((r) => r.streamId === id)).toEqual([
      expect.objectContaining({ holder: "Bo", role: "tech_lead", since: at(8).toISOString() }),
    ]);
    expect(read.timeline.at(-1)?.text).toBe("Bo took over as Tech lead · DB from Ana");

    setStreamLead(doc, id, "", priya, at(9));
    read = readIncident(doc);
    expect(read.streams[0].techLead).toBe("");
    expect(read.roles.filter((r) => r.streamId === id)).toEqual([]);
    expect(read.timeline.at(-1)?.text).toBe("Bo is no longer Tech lead · DB");
  });

  it("marks a stream done (its lead's role ends, the stream stays) and reopens it", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    setStreamState(doc, id, "done", priya, at(30));
    let read = readIncident(doc);
    expect(read.streams[0]).toMatchObject({
      state: "done",
      endedAt: at(30).toISOString(),
      techLead: "Ana",
    });
    expect(read.roles.some((r) => r.streamId === id)).toBe(false);
    expect(read.timeline.at(-1)).toMatchObject({
      text: "Work stream done: DB (led by Ana)",
      streamId: id,
    });

    setStreamState(doc, id, "active", priya, at(31));
    read = readIncident(doc);
    expect(read.streams[0].state).toBe("active");
    expect(read.streams[0].endedAt).toBeUndefined();
    expect(read.roles.find((r) => r.streamId === id)?.holder).toBe("Ana");
    expect(() => setStreamState(doc, id, "paused" as never, priya)).toThrow();
  });

  it("tags every kind of record with a stream when it is added, and refuses a stream that is not in the document", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya);
    const author = "Ana";
    const obs = addObservation(doc, { author, text: "lag", streamId: id });
    const theory = addTheory(doc, { author, text: "disk", streamId: id });
    const experiment = addExperiment(doc, { author, text: "fail over", streamId: id });
    const change = recordChange(doc, { author, what: "failed over", streamId: id });
    const followUp = addFollowUp(doc, { author, text: "replace disk", streamId: id });
    const note = appendTimelineEntry(doc, { author, text: "paging storage", streamId: id }).id;
    const quick = quickAdd(doc, "decision", "keep eu-2 primary", priya, { streamId: id });
    const read = readIncident(doc);
    expect(read.observations.find((r) => r.id === obs)?.streamId).toBe(id);
    expect(read.theories.find((r) => r.id === theory)?.streamId).toBe(id);
    expect(read.experiments.find((r) => r.id === experiment)?.streamId).toBe(id);
    expect(read.changes.find((r) => r.id === change)?.streamId).toBe(id);
    expect(read.followUps.find((r) => r.id === followUp)?.streamId).toBe(id);
    expect(read.timeline.find((e) => e.id === note)?.streamId).toBe(id);
    expect(read.timeline.find((e) => e.id === quick)?.streamId).toBe(id);
    // The entries that stand for records belong to the records' stream.
    expect(
      read.timeline.filter((e) => e.ref?.id === obs || e.ref?.id === change).map((e) => e.streamId),
    ).toEqual([id, id]);

    for (const write of [
      () => addObservation(doc, { author, text: "x", streamId: "nope" }),
      () => addTheory(doc, { author, text: "x", streamId: "nope" }),
      () => addExperiment(doc, { author, text: "x", streamId: "nope" }),
      () => recordChange(doc, { author, what: "x", streamId: "nope" }),
      () => addFollowUp(doc, { author, text: "x", streamId: "nope" }),
      () => appendTimelineEntry(doc, { author, text: "x", streamId: "nope" }),
      () => quickAdd(doc, "observation", "x", priya, { streamId: "nope" }),
      () => editRecord(doc, "observations", obs, { streamId: "nope" }),
      () => assignRole(doc, { role: "comms_manager", holder: "x", streamId: "nope" }, priya),
    ]) {
      const error = refused(doc, write);
      expect(error.code).toBe("record_not_found");
      expect(error.field).toBe("streamId");
    }
  });

  it("one setter tags, re-tags and untags a record; the record's timeline entries follow it", () => {
    const doc = incident();
    const db = addStream(doc, { name: "DB", techLead: "Ana" }, priya);
    const cache = addStream(doc, { name: "Cache", techLead: "Bo" }, priya);
    const obs = addObservation(doc, { author: "Ana", text: "lag" });
    const entryOf = () => readIncident(doc).timeline.find((e) => e.ref?.id === obs);
    expect(entryOf()?.streamId).toBeUndefined();

    setRecordStream(doc, "observations", obs, db);
    expect(readIncident(doc).observations[0].streamId).toBe(db);
    expect(entryOf()?.streamId).toBe(db);
    setRecordStream(doc, "observations", obs, cache);
    expect(entryOf()?.streamId).toBe(cache);
    setRecordStream(doc, "observations", obs, null);
    expect(readIncident(doc).observations[0].streamId).toBeUndefined();
    expect(entryOf()?.streamId).toBeUndefined();

    // Tagging the entry that stands for a record tags the record.
    setRecordStream(doc, "timeline", entryOf()!.id, db);
    expect(readIncident(doc).observations[0].streamId).toBe(db);

    const note = appendTimelineEntry(doc, { author: "Ana", text: "looking at replicas" }).id;
    setRecordStream(doc, "timeline", note, cache);
    expect(readIncident(doc).timeline.find((e) => e.id === note)?.streamId).toBe(cache);

    expect(refused(doc, () => setRecordStream(doc, "observations", obs, "nope")).field).toBe(
      "streamId",
    );
    expect(refused(doc, () => setRecordStream(doc, "theories", "nope", db)).field).toBe("id");
    expect(refused(doc, () => setRecordStream(doc, "comms" as never, "x", db)).code).toBe(
      "record_not_found",
    );
  });

  it("finds a stream by id, by name whatever its case, or by the start of one name, active streams first", () => {
    const doc = incident();
    const db = addStream(doc, { name: "Database failover", techLead: "Ana" }, priya, at(1));
    const dbOld = addStream(doc, { name: "Database backups", techLead: "Cy" }, priya, at(2));
    const cache = addStream(doc, { name: "Cache", techLead: "Bo" }, priya, at(3));
    expect(findStream(doc, db).id).toBe(db);
    expect(findStream(doc, " database FAILOVER ").id).toBe(db);
    expect(findStream(doc, "cac").id).toBe(cache);
    expect(() => findStream(doc, "data")).toThrow(/Database failover or Database backups/);
    setStreamState(doc, dbOld, "done", priya);
    expect(findStream(doc, "data").id).toBe(db);
    // Reopening looks among done streams first.
    expect(findStream(doc, "data", "done").id).toBe(dbOld);
    expect(findStream(doc, "database failover", "done").id).toBe(db);
    expect(() => findStream(doc, "network")).toThrow(
      /no work stream "network" \(streams: Database failover, Database backups, Cache\)/,
    );
  });

  it("a tech lead assigned with a stream becomes that stream's lead; removing the role leaves the stream without one", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya);
    const roleId = assignRole(doc, { role: "tech_lead", holder: "Bo", streamId: id }, priya);
    expect(roleId).toBe(streamLeadRoleId(id));
    let read = readIncident(doc);
    expect(read.streams[0].techLead).toBe("Bo");
    expect(read.roles.filter((r) => r.role === "tech_lead")).toHaveLength(1);

    unassignRole(doc, roleId, priya);
    read = readIncident(doc);
    expect(read.streams[0].techLead).toBe("");
    expect(read.roles.some((r) => r.streamId === id)).toBe(false);
  });
});

/** A copy of `doc` as another replica, with its own client id (which decides concurrent writes). */
function fork(doc: Y.Doc, clientID: number): Y.Doc {
  const copy = new Y.Doc();
  copy.clientID = clientID;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** Brings two replicas together, both ways, as the server does once both are back online. */
function sync(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a);
  const fromB = Y.encodeStateAsUpdate(b);
  Y.applyUpdate(a, fromB);
  Y.applyUpdate(b, fromA);
}

/** The tech-lead roles of streams as read, with the streams themselves. */
function leads(doc: Y.Doc) {
  const read = readIncident(doc);
  return {
    streams: read.streams,
    roles: read.roles.filter((r) => r.id.startsWith("tl:")),
  };
}

/** Every stream's lead holds its role while the stream is active, and nobody else holds one. */
function expectLeadsInStep(doc: Y.Doc): void {
  const { streams, roles } = leads(doc);
  const expected = streams
    .filter((s) => s.state === "active" && s.techLead)
    .map((s) => ({ id: streamLeadRoleId(s.id), holder: s.techLead, streamId: s.id }));
  expect(roles.map((r) => ({ id: r.id, holder: r.holder, streamId: r.streamId }))).toEqual(
    expect.arrayContaining(expected),
  );
  expect(roles).toHaveLength(expected.length);
}

describe("work streams edited concurrently", () => {
  /** Runs `left` and `right` on two replicas of `doc`, in both client-id orders, and syncs them. */
  function race(
    doc: Y.Doc,
    left: (replica: Y.Doc) => void,
    right: (replica: Y.Doc) => void,
  ): Y.Doc[] {
    const merged: Y.Doc[] = [];
    for (const [l, r] of [
      [10, 20],
      [20, 10],
    ]) {
      const a = fork(doc, l);
      const b = fork(doc, r);
      left(a);
      right(b);
      sync(a, b);
      expect(leads(a)).toEqual(leads(b));
      merged.push(a);
    }
    return merged;
  }

  it("a lead change and marking the stream done: the stream is done and nobody holds its role", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    for (const merged of race(
      doc,
      (a) => setStreamLead(a, id, "Bo", priya, at(6)),
      (b) => setStreamState(b, id, "done", priya, at(6)),
    )) {
      expectLeadsInStep(merged);
      expect(leads(merged)).toMatchObject({
        streams: [{ state: "done", techLead: "Bo" }],
        roles: [],
      });
    }
  });

  it("reopening a done stream while its lead changes: the new lead holds the role, since the hand-over", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    setStreamState(doc, id, "done", priya, at(10));
    for (const merged of race(
      doc,
      (a) => setStreamState(a, id, "active", priya, at(20)),
      (b) => setStreamLead(b, id, "Cy", priya, at(21)),
    )) {
      expectLeadsInStep(merged);
      expect(leads(merged).roles).toEqual([
        {
          id: streamLeadRoleId(id),
          role: "tech_lead",
          holder: "Cy",
          since: at(21).toISOString(),
          streamId: id,
        },
      ]);
      // The role read back can be ended like a stored one: the stream is left without a lead.
      unassignRole(merged, streamLeadRoleId(id), priya, at(30));
      expect(leads(merged)).toMatchObject({ streams: [{ techLead: "" }], roles: [] });
    }
  });

  it("removing the lead while another lead is named: whoever the stream names holds the role, or nobody", () => {
    const doc = incident();
    const id = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    const outcomes = race(
      doc,
      (a) => setStreamLead(a, id, "", priya, at(6)),
      (b) => setStreamLead(b, id, "Cy", priya, at(7)),
    ).map((merged) => {
      expectLeadsInStep(merged);
      return leads(merged).streams[0].techLead;
    });
    // The client ids decide which write wins; both outcomes occur, and each reads consistently.
    expect(new Set(outcomes)).toEqual(new Set(["", "Cy"]));
  });

  it("two streams named alike by two people at once are both kept, and the name alone finds neither", () => {
    const doc = incident();
    const a = fork(doc, 10);
    const b = fork(doc, 20);
    addStream(a, { name: "Cache", techLead: "Ana" }, priya, at(5));
    addStream(b, { name: "cache", techLead: "Bo" }, priya, at(5));
    sync(a, b);
    expect(
      readIncident(a)
        .streams.map((s) => s.name)
        .sort(),
    ).toEqual(["Cache", "cache"]);
    const error = refused(a, () => findStream(a, "CACHE"));
    expect(error.code).toBe("record_not_found");
    expect(error.message).toMatch(/"CACHE" could be (Cache or cache|cache or Cache)/);
    expect(() => findStream(a, "cach")).toThrow(/could be/);
  });
});

describe("work streams as stored", () => {
  it("drops a stored stream whose name chat could not refer to (brackets, line breaks), and the role of its lead", () => {
    const doc = incident();
    const ok = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    const streams = collection(doc, "streams");
    for (const [id, name] of [
      ["brackets", "a]b[c"],
      ["lines", "line one\n# heading"],
    ]) {
      const record = new Y.Map<unknown>();
      streams.set(id, record as never);
      record.set("id", id);
      record.set("name", name);
      record.set("techLead", "Mallory");
    }
    const read = readIncident(doc);
    expect(read.streams.map((s) => s.id)).toEqual([ok]);
    expect(read.roles.map((r) => r.holder)).toEqual(["Ana"]);
    expect(() => findStream(doc, "a]b")).toThrow(DocumentRuleError);
  });

  it("drops a record stored under another key than its own id, in every collection", () => {
    const doc = incident();
    const stream = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    const obs = addObservation(doc, { author: "Ana", text: "lag", streamId: stream }, at(6));
    const before = readIncident(doc);
    const copies: [CollectionName, string][] = [
      ["streams", stream],
      ["observations", obs],
      ["roles", streamLeadRoleId(stream)],
      ["timeline", before.timeline[0].id],
    ];
    for (const [name, id] of copies) {
      const original = collection(doc, name).get(id);
      const copy = new Y.Map<unknown>();
      collection(doc, name).set(`copy-of-${id}`, copy as never);
      for (const [field, value] of Object.entries(original?.toJSON() ?? {})) copy.set(field, value);
      expect(readRecord(doc, name, `copy-of-${id}`), name).toBeUndefined();
    }
    expect(readIncident(doc)).toEqual(before);
  });
});

describe("the stream filter", () => {
  it("keeps what concerns the whole incident in view: status, severity, roles that are not a stream's lead, untagged key events", () => {
    const doc = incident();
    const db = addStream(doc, { name: "DB", techLead: "Ana" }, priya, at(5));
    setSeverity(doc, 1, priya, at(6));
    assignRole(doc, { role: "incident_manager", holder: "Priya" }, priya, at(7));
    setStatus(doc, "fixing", priya, at(7));
    assignRole(doc, { role: "comms_manager", holder: "Dana" }, priya, at(8));
    appendTimelineEntry(
      doc,
      { author: "Priya", text: "customers told to retry later", pinned: true },
      at(8),
    );
    appendTimelineEntry(doc, { author: "Priya", text: "looking at the replicas" }, at(8));
    quickAdd(doc, "decision", "keep eu-2 primary", priya, {
      at: at(8).toISOString(),
      streamId: db,
    });
    addObservation(doc, { author: "Ana", text: "replica lag 40s", streamId: db }, at(9));
    setStreamLead(doc, db, "Bo", priya, at(10));
    const whole = readIncident(doc)
      .timeline.filter((e) => concernsWholeIncident(e))
      .map((e) => e.text);
    expect(whole).toEqual([
      expect.stringMatching(/^Incident declared/),
      expect.stringMatching(/^Severity changed from 2/),
      "Priya is Incident manager",
      "Status changed from new to fixing",
      "Dana is Communications manager",
      "customers told to retry later",
    ]);
    // An entry tagged with a stream the reader does not know counts as untagged.
    const decision = readIncident(doc).timeline.find((e) => e.text === "keep eu-2 primary")!;
    expect(concernsWholeIncident(decision)).toBe(false);
    expect(concernsWholeIncident(decision, new Map())).toBe(true);
  });
});
