import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
} from "@hocuspocus/server";
import { onTimelineAdded, type TimelineEntry } from "#shared/doc/index.ts";
import { fromAnotherProcess } from "../access/origins.ts";

/** What paging does about a change: a severity or status moved (by anyone, anywhere in hotdoc). */
export type PagingTrigger = (incident: string, entry: TimelineEntry) => void;

/** The timeline entries that can page or update a status page: a severity or status move. */
const PAGING_KINDS: ReadonlySet<TimelineEntry["kind"]> = new Set(["severity", "status"]);

/**
 * Tells paging when an incident's severity or status moved, once across processes (the
 * process that accepted the change tells it): a raise to a paging severity pages the
 * incident-manager rota, resolving resolves the pages and posts the final status-page
 * update. The trigger runs after the change's transaction, never inside it.
 */
export class PagingExtension implements Extension {
  extensionName = "PagingExtension";
  priority = 100;

  private readonly trigger: PagingTrigger;
  private readonly stops = new Map<string, () => void>();

  constructor(trigger: PagingTrigger) {
    this.trigger = trigger;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.stops.set(
      documentName,
      onTimelineAdded(
        document,
        (entries, origin) => {
          if (fromAnotherProcess(origin)) return;
          for (const entry of entries) {
            if (entry.kind !== "severity" && entry.kind !== "status") continue;
            setImmediate(() => this.trigger(documentName, entry));
          }
        },
        PAGING_KINDS,
      ),
    );
  }

  async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
    this.stops.get(documentName)?.();
    this.stops.delete(documentName);
  }
}
