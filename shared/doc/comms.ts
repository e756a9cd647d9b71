import type * as Y from "yjs";
import { DocumentRuleError } from "../errors.ts";
import { newId, toInstant } from "./ids.ts";
import { insertRecord, readRecord, updateRecord } from "./records.ts";
import { type Actor, CommsInput, FollowUpInput } from "./schema.ts";
import { assertStreamExists } from "./streamTags.ts";
import { appendTimelineEntry } from "./timeline.ts";

/** Comms updates and follow-ups. */

export function addComms(doc: Y.Doc, input: CommsInput, now: Date = new Date()): string {
  const comms = CommsInput.parse(input);
  const id = newId();
  const at = toInstant(comms.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "comms", {
      id,
      ...comms,
      at,
      sentAt: comms.state === "sent" ? at : undefined,
    });
    if (comms.state === "sent")
      logSent(doc, id, comms.audience, comms.title, comms.author, "editor", now);
  });
  return id;
}

/** Marks a draft as sent; the sending lands on the timeline as a key event. */
export function markCommsSent(
  doc: Y.Doc,
  id: string,
  actor: Actor,
  channel?: string,
  now: Date = new Date(),
): void {
  const comms = readRecord(doc, "comms", id);
  if (!comms)
    throw new DocumentRuleError("record_not_found", `no comms update with id ${id}`, "id");
  if (comms.state === "sent") return;
  doc.transact(() => {
    updateRecord(doc, "comms", id, {
      state: "sent",
      sentAt: toInstant(now),
      ...(channel ? { channel } : {}),
    });
    logSent(doc, id, comms.audience, comms.title, actor.name, actor.source, now);
  });
}

function logSent(
  doc: Y.Doc,
  id: string,
  audience: string,
  title: string,
  author: string,
  source: Actor["source"],
  now: Date,
): void {
  appendTimelineEntry(
    doc,
    {
      author,
      source,
      kind: "comms",
      pinned: true,
      text: `${audience === "internal" ? "Internal" : "External"} update sent${title ? `: ${title}` : ""}`,
      ref: { collection: "comms", id },
    },
    now,
  );
}

export function addFollowUp(doc: Y.Doc, input: FollowUpInput, now: Date = new Date()): string {
  const followUp = FollowUpInput.parse(input);
  assertStreamExists(doc, followUp.streamId);
  const id = newId();
  const at = toInstant(followUp.at ?? now);
  doc.transact(() => {
    insertRecord(doc, "followUps", { id, ...followUp, at });
  });
  return id;
}

export function setFollowUpDone(doc: Y.Doc, id: string, done: boolean): void {
  if (!readRecord(doc, "followUps", id))
    throw new DocumentRuleError("record_not_found", `no follow-up with id ${id}`, "id");
  updateRecord(doc, "followUps", id, { done });
}
