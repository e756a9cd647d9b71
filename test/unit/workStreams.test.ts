import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  type Actor,
  addExperiment,
  addFollowUp,
  addObservation,
  addStream,
  addTheory,
  appendTimelineEntry,
  assignRole,
  editRecord,
  findStream,
  initIncident,
  quickAdd,
  readIncident,
  recordChange,
  renameStream,
  setRecordStream,
  setStreamLead,
  setStreamState,
  streamLeadRoleId,
  unassignRole,
} from "#shared/doc/index.ts";
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
