import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
} from "@hocuspocus/server";
import { onTimelineAdded, type TimelineEntry } from "#shared/doc/index.ts";
import { fromAnotherProcess } from "../access/origins.ts";

/**
 * The document events worth saying in the room: severity, status, pages, incident manager,
 * work streams' tech leads ("ana is Tech lead · Database failover"), and new changes.
 */
/** The kinds worthAnnouncing may accept; the rest (chat messages, notes) are not even read. */
const ANNOUNCED_KINDS: ReadonlySet<TimelineEntry["kind"]> = new Set([
  "severity",
  "status",
  "page",
  "role",
  "change",
]);

function worthAnnouncing(entry: TimelineEntry): boolean {
  // A page sent, failed, acknowledged or resolved: the room learns who is coming.
  if (entry.kind === "severity" || entry.kind === "status" || entry.kind === "page") return true;
  if (entry.kind === "role") return entry.pinned || entry.streamId !== undefined;
  // A change recorded in the change log (its timeline line refers to the record), not a chat message about one.
  return entry.kind === "change" && entry.ref?.collection === "changes";
}

/** Says lines about an incident in its chat rooms (the bridge's Announcer; it may batch them). */
export type Announce = (incident: string, lines: string[]) => void;

/**
 * Watches loaded incident documents and announces important new timeline entries in their
 * rooms, once across processes: entries that arrive from another process are its to announce.
 */
export class AnnouncementExtension implements Extension {
  extensionName = "AnnouncementExtension";
  priority = 100;

  private readonly announce: Announce;
  private readonly stops = new Map<string, () => void>();

  constructor(announce: Announce) {
    this.announce = announce;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    // Observed from load even when still empty: a new incident is filled after it loads.
    this.stops.set(
      documentName,
      onTimelineAdded(
        document,
        (entries, origin) => {
          // The process that accepted an entry announces it; the others only show it.
          if (fromAnotherProcess(origin)) return;
          const lines = entries.filter(worthAnnouncing).map((e) => `${e.text} (${e.author})`);
          if (lines.length > 0) this.announce(documentName, lines);
        },
        ANNOUNCED_KINDS,
      ),
    );
  }

  async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
    this.stops.get(documentName)?.();
    this.stops.delete(documentName);
  }
}
