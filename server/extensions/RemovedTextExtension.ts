import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
} from "@hocuspocus/server";
import { keepRemovedTextBlank } from "#shared/doc/index.ts";
import { systemOrigin } from "../access/origins.ts";

/**
 * Keeps text removed from the timeline out of every loaded incident document. A
 * removal and an edit of the same entry made at once (one of them offline) can merge
 * with the edit's text winning; readers show the entry blank anyway, and this blanks
 * the stored text again as a server write, so it leaves the peers' documents and the
 * server's state too. Runs after PersistenceExtension (lower priority), whose update
 * listener must be in place before the first blanking on load.
 */
export class RemovedTextExtension implements Extension {
  extensionName = "RemovedTextExtension";
  priority = 100;

  private readonly stops = new Map<string, () => void>();

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.stops.get(documentName)?.();
    this.stops.set(documentName, keepRemovedTextBlank(document, systemOrigin()));
  }

  async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
    this.stops.get(documentName)?.();
    this.stops.delete(documentName);
  }
}
