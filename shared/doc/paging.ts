import type * as Y from "yjs";
import { toInstant } from "./ids.ts";
import { insertRecord, readRecord, updateRecord } from "./records.ts";
import type { PageRecord, PublicationRecord } from "./schema.ts";
import { appendTimelineEntry } from "./timeline.ts";
import type { PageProvider, PublishDestination } from "./vocabulary.ts";

/**
 * Pages and publications in the incident document. The server writes them (paging and
 * publishing talk to providers with secrets the page never sees); every reader shows
 * them. Each step worth a line in the postmortem also lands in the timeline, pinned
 * when it is a page or an acknowledgement.
 */

/** A team name as an id part: "Database on-call" → "database-on-call". */
export function slug(name: string): string {
  const s = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return s || "team";
}

export function pageId(team: string, provider: PageProvider): string {
  return `${slug(team)}.${provider}`;
}

/** The publication of comms update `commsId` (or the final update on resolve, `final-<audience>`) to one destination. */
export function publicationId(commsIdOrFinal: string, destination: PublishDestination): string {
  return `${commsIdOrFinal}.${destination}`;
}

export function readPage(doc: Y.Doc, id: string): PageRecord | undefined {
  return readRecord(doc, "pages", id);
}

export function readPublication(doc: Y.Doc, id: string): PublicationRecord | undefined {
  return readRecord(doc, "publications", id);
}

/** Writes a page record, or changes the one with its id (a retry, an acknowledgement). */
export function savePage(doc: Y.Doc, record: PageRecord): void {
  doc.transact(() => {
    if (!insertRecord(doc, "pages", record)) updateRecord(doc, "pages", record.id, record);
  });
}

/** Writes a publication record, or changes the one with its id (a retry, its outcome). */
export function savePublication(doc: Y.Doc, record: PublicationRecord): void {
  doc.transact(() => {
    if (!insertRecord(doc, "publications", record))
      updateRecord(doc, "publications", record.id, record);
  });
}

/** A paging event in the timeline ("Paged Database on-call through PagerDuty: replica lag"), by the system. */
export function logPageEvent(
  doc: Y.Doc,
  page: Pick<PageRecord, "id">,
  text: string,
  now: Date = new Date(),
): void {
  appendTimelineEntry(
    doc,
    {
      author: "hotdoc",
      source: "system",
      kind: "page",
      pinned: true,
      text,
      ref: { collection: "pages", id: page.id },
      at: toInstant(now),
    },
    now,
  );
}
