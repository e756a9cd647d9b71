import type {
  afterLoadDocumentPayload,
  beforeUnloadDocumentPayload,
  Extension,
  onChangePayload,
} from "@hocuspocus/server";
import type * as Y from "yjs";
import { roomTopic } from "#shared/chat/roomTopic.ts";

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

  constructor(changed: TopicChanged) {
    this.changed = changed;
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.topics.set(documentName, roomTopic(document));
  }

  async onChange({ document, documentName }: onChangePayload): Promise<void> {
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
  }

  private check(name: string, document: Y.Doc): void {
    const topic = roomTopic(document);
    if (this.topics.get(name) === topic) return;
    this.topics.set(name, topic);
    this.changed(name, topic);
  }
}
