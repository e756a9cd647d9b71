import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { latestSentUpdate, nextUpdateDue, UPDATE_CADENCE_MS } from "#shared/comms/nextUpdate.ts";
import {
  addComms,
  type CommsUpdate,
  editRecord,
  initIncident,
  markCommsSent,
  readIncident,
} from "#shared/doc/index.ts";
import { encodeWithoutUnsentComms, withoutUnsentComms } from "#shared/doc/unsentComms.ts";

const SENT = "2026-11-21T14:05:00.000Z";

function update(fields: Partial<CommsUpdate>): CommsUpdate {
  return {
    id: "u1",
    at: "2026-11-21T14:00:00.000Z",
    author: "Dana Kim",
    audience: "internal",
    state: "sent",
    title: "",
    summary: "",
    currentStatus: [],
    nextSteps: [],
    nextUpdate: "",
    channel: "",
    sentAt: SENT,
    ...fields,
  };
}

describe("when the next stakeholder update is due", () => {
  it("reads the time the update's own next-update line names, relative to when it was sent", () => {
    const due = (nextUpdate: string) => nextUpdateDue(update({ nextUpdate }), "utc");
    expect(due("In 30 minutes, here and by email")).toEqual({
      at: new Date("2026-11-21T14:35:00.000Z"),
      basis: "stated",
    });
    expect(due("in 1h on the status page").at.toISOString()).toBe("2026-11-21T15:05:00.000Z");
    expect(due("14:30 UTC on the status page").at.toISOString()).toBe("2026-11-21T14:30:00.000Z");
    expect(due("By 15:00.").at.toISOString()).toBe("2026-11-21T15:00:00.000Z");
    // A clock time already past when the update was sent means the next day, never the past.
    expect(due("at 09:00").at.toISOString()).toBe("2026-11-22T09:00:00.000Z");
  });

  it("reads a line that says 'Next update' first, or names the day before 'at'", () => {
    const due = (nextUpdate: string) => nextUpdateDue(update({ nextUpdate }), "utc");
    const stated = (nextUpdate: string, iso: string) =>
      expect(due(nextUpdate), nextUpdate).toEqual({ at: new Date(iso), basis: "stated" });
    stated("Next update: 14:30 UTC", "2026-11-21T14:30:00.000Z");
    stated("next update at 15:00", "2026-11-21T15:00:00.000Z");
    stated("Next update by 16:00 UTC on the status page", "2026-11-21T16:00:00.000Z");
    stated("Next update: in 45 min", "2026-11-21T14:50:00.000Z");
    stated("Tomorrow at 09:00", "2026-11-22T09:00:00.000Z");
    stated("Next update: tomorrow at 09:00 UTC.", "2026-11-22T09:00:00.000Z");
    stated("today by 18:00, here", "2026-11-21T18:00:00.000Z");
    // Still conservative: a lead-in before no readable time keeps the cadence.
    for (const nextUpdate of ["Next update: soon", "Next update: when we know more", "tomorrow"])
      expect(due(nextUpdate).basis, nextUpdate).toBe("cadence");
  });

  it("falls back to the cadence when the line names no time it can read", () => {
    for (const nextUpdate of ["", "after the rollback finishes", "soon", "11 21 2026 02 41"]) {
      expect(nextUpdateDue(update({ nextUpdate }), "utc")).toEqual({
        at: new Date(Date.parse(SENT) + UPDATE_CADENCE_MS),
        basis: "cadence",
      });
    }
  });

  it("the latest update is the latest sent one, never a newer draft", () => {
    const comms = [
      update({ id: "old", sentAt: "2026-11-21T13:00:00.000Z" }),
      update({ id: "new", sentAt: "2026-11-21T14:05:00.000Z", audience: "external" }),
      update({ id: "draft", state: "draft", at: "2026-11-21T14:20:00.000Z", sentAt: undefined }),
    ];
    expect(latestSentUpdate(comms)?.id).toBe("new");
    expect(latestSentUpdate(comms, "internal")?.id).toBe("old");
    expect(latestSentUpdate([comms[2] as CommsUpdate])).toBeUndefined();
  });
});

describe("an incident without its unsent drafts", () => {
  function incidentWithDraft(gc = true): { doc: Y.Doc; draftId: string } {
    const doc = new Y.Doc({ gc });
    const actor = { name: "Dana Kim", source: "editor" as const };
    initIncident(doc, { key: "HOT-7", summary: "Checkout fails", severity: 2, actor });
    const sent = addComms(doc, { author: "Dana Kim", audience: "internal", summary: "SENT-TEXT" });
    markCommsSent(doc, sent, actor);
    // A draft whose text was overwritten once: both versions must go.
    const draftId = addComms(doc, {
      author: "Dana Kim",
      audience: "internal",
      summary: "DRAFT-FIRST-VERSION",
    });
    editRecord(doc, "comms", draftId, { summary: "DRAFT-SECOND-VERSION" });
    return { doc, draftId };
  }
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

  it("encodes the state with no trace of a draft's text, and leaves the document itself alone", () => {
    // A document without garbage collection (as one rebuilt from history may be) keeps
    // the overwritten first version too.
    for (const gc of [true, false]) {
      const { doc: source, draftId } = incidentWithDraft(gc);
      const full = Y.encodeStateAsUpdate(source);
      expect(text(full)).toContain("DRAFT-SECOND-VERSION");
      if (!gc) expect(text(full)).toContain("DRAFT-FIRST-VERSION");
      const filtered = encodeWithoutUnsentComms(source);
      expect(text(filtered)).not.toContain("DRAFT-SECOND-VERSION");
      expect(text(filtered)).not.toContain("DRAFT-FIRST-VERSION");
      expect(text(filtered)).toContain("SENT-TEXT");
      const copy = new Y.Doc();
      Y.applyUpdate(copy, filtered);
      const read = readIncident(copy);
      expect(read.comms.map((c) => c.state)).toEqual(["sent"]);
      expect(read.summary).toBe("Checkout fails");
      // The source still has its draft.
      expect(readIncident(source).comms.some((c) => c.id === draftId)).toBe(true);
    }
  });

  it("reads the incident with sent updates only", () => {
    const { doc } = incidentWithDraft();
    const incident = readIncident(doc);
    expect(incident.comms).toHaveLength(2);
    const shown = withoutUnsentComms(incident);
    expect(shown.comms.map((c) => c.summary)).toEqual(["SENT-TEXT"]);
    expect(JSON.stringify(shown)).not.toContain("DRAFT-");
  });
});
