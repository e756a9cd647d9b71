import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ZodError } from "zod";
import { collection } from "#shared/doc/fields.ts";
import {
  addComms,
  addExperiment,
  addObservation,
  addTheory,
  appendTimelineEntry,
  assignRole,
  currentHolder,
  editTimelineEntry,
  initIncident,
  markCommsSent,
  markTimelineEntryDeleted,
  readIncident,
  readTimeline,
  recordChange,
  setChangeState,
  setIncidentFields,
  setSeverity,
  setStatus,
  setTheoryState,
  unassignRole,
} from "#shared/doc/index.ts";
import { DocumentRuleError } from "#shared/errors.ts";

const IM = { name: "Priya", source: "editor" as const };
const T = (minute: number) => new Date(Date.UTC(2026, 10, 20, 14, minute));

function incident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-7",
    summary: "Checkout down",
    severity: 2,
    description: "Payments fail\nfor EU",
    actor: IM,
    now: T(5),
    startedAt: T(0).toISOString(),
  });
  return doc;
}

describe("the incident document accessors", () => {
  it("declares an incident with the handbook's fields and a key event", () => {
    const state = readIncident(incident());
    expect(state).toMatchObject({
      key: "HOT-7",
      summary: "Checkout down",
      description: "Payments fail\nfor EU",
      severity: 2,
      status: "new",
      service: "Unknown",
      products: [],
      times: {
        startedAt: T(0).toISOString(),
        detectedAt: T(5).toISOString(),
        endedAt: null,
        ttdMs: 5 * 60_000,
        ttrMs: null,
      },
    });
    expect(state.timeline).toEqual([
      expect.objectContaining({
        kind: "status",
        pinned: true,
        author: "Priya",
        text: "Incident declared: Checkout down (severity 2, Major)",
      }),
    ]);
  });

  it("rejects a bad key or severity before writing anything", () => {
    const doc = new Y.Doc();
    expect(() => initIncident(doc, { key: "hot 1", summary: "x", severity: 1, actor: IM })).toThrow(
      ZodError,
    );
    expect(() =>
      initIncident(doc, { key: "HOT-1", summary: "x", severity: 4 as 1, actor: IM }),
    ).toThrow(ZodError);
    expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(new Y.Doc()));
  });

  it("records a severity change as a pinned timeline entry, and ignores a no-op", () => {
    const doc = incident();
    setSeverity(doc, 1, IM, T(10));
    setSeverity(doc, 1, IM, T(11));
    const entries = readTimeline(doc).filter((e) => e.kind === "severity");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      pinned: true,
      at: T(10).toISOString(),
      text: "Severity changed from 2 (Major) to 1 (Critical)",
    });
  });

  it("never moves the status when the IM is named: fixing is a step of its own, which needs an IM", () => {
    const doc = incident();
    expect(() => setStatus(doc, "fixing", IM, T(5))).toThrow(
      expect.objectContaining({ code: "im_required" }),
    );
    assignRole(doc, { role: "incident_manager", holder: "Priya" }, IM, T(6));
    expect(readIncident(doc).status).toBe("new");
    expect(readTimeline(doc).filter((e) => e.kind === "status")).toHaveLength(1);
    setStatus(doc, "fixing", IM, T(7));
    expect(readIncident(doc).status).toBe("fixing");
    expect(readTimeline(doc).map((e) => e.text)).toEqual([
      expect.stringMatching(/^Incident declared/),
      "Priya is Incident manager",
      "Status changed from new to fixing",
    ]);
  });

  it("keeps exactly one incident manager and records the hand-over", () => {
    const doc = incident();
    assignRole(doc, { role: "incident_manager", holder: "Priya" }, IM, T(6));
    assignRole(doc, { role: "incident_manager", holder: "Sam" }, IM, T(30));
    const state = readIncident(doc);
    expect(state.roles.filter((r) => r.role === "incident_manager")).toEqual([
      expect.objectContaining({ holder: "Sam" }),
    ]);
    expect(state.incidentManager).toBe("Sam");
    expect(state.timeline.map((e) => e.text)).toContain(
      "Sam took over as Incident manager from Priya",
    );
    expect(() => unassignRole(doc, "incident_manager", IM)).toThrow(DocumentRuleError);
  });

  it("concurrent IM assignments on two replicas still leave exactly one IM", () => {
    const a = incident();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    assignRole(a, { role: "incident_manager", holder: "Alice" }, IM);
    assignRole(b, { role: "incident_manager", holder: "Bob" }, IM);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const ims = readIncident(a).roles.filter((r) => r.role === "incident_manager");
    expect(ims).toHaveLength(1);
    expect(currentHolder(a, "incident_manager")).toBe(currentHolder(b, "incident_manager"));
  });

  it("moves status only along the workflow, and a refused move changes nothing", () => {
    const doc = incident();
    const before = Y.encodeStateVector(doc);
    expect(() => setStatus(doc, "fixing", IM)).toThrow(
      expect.objectContaining({ code: "im_required" }),
    );
    expect(() => setStatus(doc, "closed", IM)).toThrow(
      expect.objectContaining({ code: "invalid_transition" }),
    );
    expect(() => setIncidentFields(doc, { summary: "changed", status: "closed" }, IM)).toThrow(
      DocumentRuleError,
    );
    expect(Y.encodeStateVector(doc)).toEqual(before);
    expect(readIncident(doc).summary).toBe("Checkout down");
    setStatus(doc, "resolved", IM, T(40));
    expect(readIncident(doc).times).toMatchObject({
      endedAt: T(40).toISOString(),
      ttrMs: 40 * 60_000,
    });
    setStatus(doc, "closed", IM, T(50));
    expect(readIncident(doc).status).toBe("closed");
  });

  it("clears the end of impact when a resolved incident goes back to fixing", () => {
    const doc = incident();
    assignRole(doc, { role: "incident_manager", holder: "Priya" }, IM, T(6));
    setStatus(doc, "resolved", IM, T(40));
    setStatus(doc, "fixing", IM, T(45));
    expect(readIncident(doc).times).toMatchObject({ endedAt: null, ttrMs: null });
    setStatus(doc, "resolved", IM, T(70));
    expect(readIncident(doc).times).toMatchObject({
      endedAt: T(70).toISOString(),
      ttrMs: 70 * 60_000,
    });
  });

  it("appends a timeline entry once per id and orders entries by when they happened", () => {
    const doc = incident();
    expect(
      appendTimelineEntry(doc, {
        id: "slack:C1:2",
        author: "a",
        text: "second",
        at: T(20).toISOString(),
        kind: "chat",
      }).created,
    ).toBe(true);
    expect(
      appendTimelineEntry(doc, {
        id: "slack:C1:2",
        author: "a",
        text: "second again",
        at: T(20).toISOString(),
        kind: "chat",
      }).created,
    ).toBe(false);
    appendTimelineEntry(doc, {
      id: "slack:C1:1",
      author: "a",
      text: "first",
      at: T(10).toISOString(),
      kind: "chat",
    });
    const texts = readTimeline(doc).map((e) => e.text);
    expect(texts.slice(1)).toEqual(["first", "second"]);
    editTimelineEntry(doc, "slack:C1:1", "first (edited)", T(21));
    markTimelineEntryDeleted(doc, "slack:C1:2", T(22));
    const [, first, second] = readTimeline(doc);
    expect(first).toMatchObject({ text: "first (edited)", editedAt: T(21).toISOString() });
    expect(second).toMatchObject({ deleted: true });
  });

  it("keeps the change log with revert steps and the still-to-revert list", () => {
    const doc = incident();
    const rollback = recordChange(
      doc,
      {
        author: "Marco",
        what: "Rollback to v1",
        revertSteps: "deploy v2",
        at: T(20).toISOString(),
      },
      T(20),
    );
    const flag = recordChange(
      doc,
      { author: "Marco", what: "Disable feature flag", revertSteps: "enable flag" },
      T(21),
    );
    recordChange(doc, { author: "Marco", what: "Scale out", state: "planned" }, T(22));
    expect(readIncident(doc).stillToRevert).toEqual([rollback, flag]);
    setChangeState(doc, flag, "reverted", IM, T(30));
    const state = readIncident(doc);
    expect(state.stillToRevert).toEqual([rollback]);
    expect(state.changes.find((c) => c.id === flag)).toMatchObject({
      state: "reverted",
      revertSteps: "enable flag",
    });
    expect(state.timeline.filter((e) => e.kind === "change" && e.ref?.id === flag)).toHaveLength(2);
  });

  it("links theories to observations and experiments to theories, with states", () => {
    const doc = incident();
    const seen = addObservation(doc, { author: "a", text: "pool exhausted", confirmed: true });
    expect(() => addTheory(doc, { author: "a", text: "t", observationIds: ["nope"] })).toThrow(
      DocumentRuleError,
    );
    const theory = addTheory(doc, { author: "a", text: "retry storm", observationIds: [seen] });
    const experiment = addExperiment(doc, { author: "a", text: "roll back", theoryId: theory });
    setTheoryState(doc, theory, "confirmed", IM);
    const state = readIncident(doc);
    expect(state.theories[0]).toMatchObject({ state: "confirmed", observationIds: [seen] });
    expect(state.experiments[0]).toMatchObject({
      id: experiment,
      theoryId: theory,
      state: "planned",
    });
    expect(state.timeline.some((e) => e.text === "Theory confirmed: retry storm" && e.pinned)).toBe(
      true,
    );
  });

  it("logs a comms update when it is sent", () => {
    const doc = incident();
    const id = addComms(doc, {
      author: "Dana",
      audience: "external",
      title: "Investigating checkout errors",
    });
    markCommsSent(doc, id, { name: "Dana", source: "editor" }, "status page", T(25));
    const state = readIncident(doc);
    expect(state.comms[0]).toMatchObject({
      state: "sent",
      sentAt: T(25).toISOString(),
      channel: "status page",
    });
    expect(state.timeline.at(-1)).toMatchObject({
      kind: "comms",
      pinned: true,
      text: "External update sent: Investigating checkout errors",
    });
  });

  it("leaves out records a CRDT client wrote in the wrong shape instead of trusting them", () => {
    const doc = incident();
    const good = appendTimelineEntry(doc, { author: "a", text: "fine" }).id;
    // Craft a bogus record the way a misbehaving editor could, through Yjs directly.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const bogus = new Y.Map<unknown>();
    bogus.set("id", "bogus");
    bogus.set("at", "not a time");
    collection(other, "timeline").set("bogus", bogus);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    expect(readTimeline(doc).map((e) => e.id)).toContain(good);
    expect(readTimeline(doc).map((e) => e.id)).not.toContain("bogus");
  });
});
