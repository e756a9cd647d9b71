import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
  onChangePayload,
} from "@hocuspocus/server";
import type * as Y from "yjs";
import { roomTopic } from "#shared/chat/roomTopic.ts";
import { fromAnotherProcess } from "../access/origins.ts";

/** How long after a change the topic is read again (a burst of edits reads it once). */
const READ_AFTER_MS = 200;

/** Told when an incident's room topic (`roomTopic`) reads differently than before. */
export type TopicChanged = (incident: string, topic: string) => void;

/**
 * Watches loaded incident documents and says when what their chat rooms' topic
 * should read has changed (summary, severity, status, role holders), whoever changed
 * it: the page, the API or a chat command.
 */
export class RoomTopicExtension implements Extension {
  extensionName = "RoomTopicExtension";
  priority = 100;

  private readonly changed: TopicChanged;
  private readonly topics = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents changed here (not only by another process) since their topic was last read. */
  private readonly changedHere = new Set<string>();

  constructor(changed: TopicChanged) {
    this.changed = changed;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.topics.set(documentName, roomTopic(document));
  }

  async onChange({ document, documentName, transactionOrigin }: onChangePayload): Promise<void> {
    if (!fromAnotherProcess(transactionOrigin)) this.changedHere.add(documentName);
    if (this.timers.has(documentName)) return;
    this.timers.set(
      documentName,
      setTimeout(() => {
        this.timers.delete(documentName);
        this.check(documentName, document);
      }, READ_AFTER_MS),
    );
  }

  async beforeUnloadDocument({
    document,
    documentName,
  }: beforeUnloadDocumentPayload): Promise<void> {
    const timer = this.timers.get(documentName);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(documentName);
      this.check(documentName, document);
    }
    this.topics.delete(documentName);
    this.changedHere.delete(documentName);
  }

  private check(name: string, document: Y.Doc): void {
    const topic = roomTopic(document);
    // A change another process accepted is that process's to put in the topic.
    const here = this.changedHere.delete(name);
    if (this.topics.get(name) === topic) return;
    this.topics.set(name, topic);
    if (here) this.changed(name, topic);
  }
}
