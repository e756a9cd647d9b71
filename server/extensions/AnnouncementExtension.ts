import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
} from "@hocuspocus/server";
import { onTimelineAdded, type TimelineEntry } from "#shared/doc/index.ts";
import type { Announcer } from "../bridge/Announcer.ts";

/** The document events worth saying in the room: severity, status, incident manager, and new changes. */
export function worthAnnouncing(entry: TimelineEntry): boolean {
  if (entry.kind === "severity" || entry.kind === "status") return true;
  if (entry.kind === "role") return entry.pinned;
  return entry.kind === "change" && entry.text.startsWith("Change (");
}

/** Watches loaded incident documents and announces important new timeline entries in their rooms. */
export class AnnouncementExtension implements Extension {
  extensionName = "AnnouncementExtension";
  priority = 100;

  private readonly announcer: Announcer;
  private readonly stops = new Map<string, () => void>();

  constructor(announcer: Announcer) {
    this.announcer = announcer;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    // Observed from load even when still empty: a new incident is filled after it loads.
    this.stops.set(
      documentName,
      onTimelineAdded(document, (entries) => {
        const lines = entries.filter(worthAnnouncing).map((e) => `${e.text} (${e.author})`);
        if (lines.length > 0) void this.announcer.announce(documentName, lines);
      }),
    );
  }

  async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
    this.stops.get(documentName)?.();
    this.stops.delete(documentName);
  }
}
