import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ZodError } from "zod";
import { draftExternalUpdate, draftInternalUpdate, updateTitle } from "#shared/comms/drafts.ts";
import {
  addTheory,
  editRecord,
  initIncident,
  quickAdd,
  readIncident,
  recordChange,
  setTheoryState,
} from "#shared/doc/index.ts";
import { DocumentRuleError } from "#shared/errors.ts";

const actor = { name: "Dana", source: "editor" as const };
function incident() {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-3",
    summary: "Login fails",
    severity: 1,
    service: "auth",
    products: ["Web"],
    actor,
  });
  return doc;
}

describe("editing records", () => {
  it("edits fields of a record after validating the result, and refuses an invalid edit whole", () => {
    const doc = incident();
    const id = recordChange(doc, { author: "a", what: "Restart auth", revertSteps: "" });
    editRecord(doc, "changes", id, { revertSteps: "none needed", how: "kubectl rollout restart" });
    expect(readIncident(doc).changes[0]).toMatchObject({
      revertSteps: "none needed",
      how: "kubectl rollout restart",
    });
    const before = Y.encodeStateVector(doc);
    expect(() => editRecord(doc, "changes", id, { what: "", how: "x" })).toThrow(ZodError);
    expect(() => editRecord(doc, "changes", "missing", { how: "x" })).toThrow(DocumentRuleError);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });
  it("turns a quick-added observation or theory into its record", () => {
    const doc = incident();
    quickAdd(doc, "observation", "Error rate 40%", actor);
    quickAdd(doc, "theory", "Expired certificate", actor);
    quickAdd(doc, "decision", "Fail over to eu-2", actor);
    const state = readIncident(doc);
    expect(state.observations.map((o) => o.text)).toEqual(["Error rate 40%"]);
    expect(state.theories.map((t) => t.text)).toEqual(["Expired certificate"]);
    expect(state.timeline.find((e) => e.kind === "decision")).toMatchObject({
      pinned: true,
      text: "Fail over to eu-2",
    });
  });
});

describe("comms drafts", () => {
  it("prefills an internal update from the document and states unknowns", () => {
    const doc = incident();
    const draft = draftInternalUpdate(readIncident(doc), "At 15:00 on the status page");
    expect(draft.title).toBe("HOT-3 - Sev 1 - Login fails");
    expect(draft.currentStatus).toContain("Root cause: currently unknown");
    expect(draft.currentStatus.length).toBeGreaterThanOrEqual(1);
    expect(draft.nextSteps.length).toBeGreaterThanOrEqual(2);
    expect(draft.nextSteps.length).toBeLessThanOrEqual(4);
    const unknown = draft.checklist.filter((c) => !c.known).map((c) => c.question);
    expect(unknown).toContain("If the root cause is known, what is it?");
    expect(draft.checklist.at(-1)).toMatchObject({
      answer: "At 15:00 on the status page",
      known: true,
    });
  });
  it("names a confirmed theory as the root cause", () => {
    const doc = incident();
    const theory = addTheory(doc, { author: "a", text: "Expired certificate on the IdP" });
    setTheoryState(doc, theory, "confirmed", actor);
    const draft = draftInternalUpdate(readIncident(doc));
    expect(draft.currentStatus).toContain("Root cause: Expired certificate on the IdP");
    expect(draft.checklist[2]).toMatchObject({
      known: true,
      answer: "Expired certificate on the IdP",
    });
  });
  it("keeps the external update to plain sentences", () => {
    const draft = draftExternalUpdate(readIncident(incident()));
    expect(draft.summary).toBe(
      "We are investigating issues with Web and will provide updates here soon.",
    );
    expect(updateTitle({ key: "HOT-1", severity: 2, summary: "x" })).toBe("HOT-1 - Sev 2 - x");
  });
});

describe("changed roots", () => {
  it("tells a notes-only transaction from one that touches records", async () => {
    const { onlyNotesChanged, setRichTextPlain, appendTimelineEntry } = await import(
      "#shared/doc/index.ts"
    );
    const doc = incident();
    const seen: boolean[] = [];
    doc.on("afterTransaction", (tr: Y.Transaction) => seen.push(onlyNotesChanged(doc, tr)));
    setRichTextPlain(doc, "notes", "hello");
    appendTimelineEntry(doc, { author: "a", text: "x" });
    expect(seen.slice(-2)).toEqual([true, false]);
  });
});
