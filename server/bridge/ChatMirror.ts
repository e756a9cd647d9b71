import type * as Y from "yjs";
import { type Principal } from "../../shared/access.ts";
import { type ChatEvent, ChatEventSchema, type ChatPost, chatEntryId } from "../../shared/chat/chatEvent.ts";
import { type ChatCommand, COMMAND_HELP, parseChatCommand } from "../../shared/chat/commands.ts";
import {
  type Actor,
  addExperiment,
  addObservation,
  addTheory,
  appendTimelineEntry,
  assignRole,
  editTimelineEntry,
  IncidentKeySchema,
  markTimelineEntryDeleted,
  readTimelineEntry,
  recordChange,
  setSeverity,
  setStatus,
  setTimelineEntryPinned,
} from "../../shared/doc/index.ts";
import { describeError } from "../../shared/errors.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { DocumentStore } from "../storage/DocumentStore.ts";

export interface MirrorOutcome {
  /** Text to say back in the room (malformed commands, failed commands, help, links). */
  replies: string[];
  /** The room the replies are for (a delivery comes from one room). */
  room?: { platform: string; channel: string };
  mirrored: number;
  duplicates: number;
  unlinked: number;
}

/**
 * Mirrors chat events into incident timelines. A message becomes one timeline entry
 * whose id is derived from the platform's message id, so retries and concurrent
 * duplicate deliveries write it once; its time is the message's own. Commands add
 * their typed records in the same transaction, and only when the message is new.
 * Every write goes through the incident service, so it is durable before we answer.
 */
export class ChatMirror {
  private readonly store: DocumentStore;
  private readonly incidents: IncidentService;
  private readonly metrics: Metrics;
  private readonly logger: Logger;

  constructor(options: { store: DocumentStore; incidents: IncidentService; metrics: Metrics; logger: Logger }) {
    this.store = options.store;
    this.incidents = options.incidents;
    this.metrics = options.metrics;
    this.logger = options.logger;
  }

  async apply(events: ChatEvent[]): Promise<MirrorOutcome> {
    // Validate the whole delivery before writing any of it.
    const valid = events.map((event) => {
      const parsed = ChatEventSchema.safeParse(event);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw new HotdocError("invalid_payload", `${issue.path.join(".")}: ${issue.message}`, issue.path.join(".") || undefined);
    });
    const outcome: MirrorOutcome = { replies: [], mirrored: 0, duplicates: 0, unlinked: 0 };
    for (const event of valid) await this.applyOne(event, outcome);
    if (outcome.replies.length > 0 && valid[0]) outcome.room = { platform: valid[0].platform, channel: valid[0].channel };
    return outcome;
  }

  private async applyOne(event: ChatEvent, outcome: MirrorOutcome): Promise<void> {
    const command = event.action === "post" ? parseChatCommand(event.text) : undefined;
    let key: string | null;
    if (command && "command" in command && command.command.type === "link" && !(await this.seen(event, command.command.key))) {
      key = await this.link(event, command.command.key, outcome);
    } else {
      key = await this.incidentFor(event);
    }
    if (event.action === "rename") return;
    if (!key) {
      outcome.unlinked++;
      this.metrics.chatMessages.inc({ platform: event.platform, outcome: "unlinked" });
      this.logger.info({ platform: event.platform, channel: event.channel }, "message from a room linked to no incident ignored");
      return;
    }
    const principal: Principal = { subject: `bridge:${event.platform}`, name: event.platform, role: "bridge", scope: "*" };
    const result = await this.incidents.write(key, principal, (doc) =>
      event.action === "post" ? this.post(doc, event, command, outcome) : this.follow(doc, event),
    );
    this.metrics.chatMessages.inc({ platform: event.platform, outcome: result });
    if (result === "mirrored") outcome.mirrored++;
    if (result === "duplicate") outcome.duplicates++;
    this.logger.debug({ incident: key, platform: event.platform, action: event.action, result }, "chat event applied");
  }

  /** True when this `link` message was mirrored already (a redelivery), to the room's incident or the target. */
  private async seen(event: ChatEvent, target: string): Promise<boolean> {
    if (event.action !== "post") return false;
    const id = chatEntryId(event);
    const keys = new Set<string>([target]);
    const link = await this.store.findChannelLink(event.platform, event.channel);
    if (link) keys.add(link.incident);
    for (const key of keys) {
      if (!(await this.store.incidentExists(key))) continue;
      if (await this.incidents.withDoc(key, (doc) => readTimelineEntry(doc, id) !== undefined)) return true;
    }
    return false;
  }

  /** The incident a room belongs to: its link, or an incident whose key is the room's name (`hot-12`). */
  private async incidentFor(event: ChatEvent): Promise<string | null> {
    const link = await this.store.findChannelLink(event.platform, event.channel);
    if (link) return link.incident;
    const name = event.channelName?.replace(/^#/, "").trim().toUpperCase();
    if (!name || !IncidentKeySchema.safeParse(name).success || !(await this.store.incidentExists(name))) return null;
    await this.store.linkChannel({
      platform: event.platform,
      channel: event.channel,
      incident: name,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: `bridge:${event.platform}`,
    });
    this.logger.info({ incident: name, platform: event.platform, channel: event.channel }, "room linked by its name");
    return name;
  }

  /** `link HOT-12` said in a room. */
  private async link(event: ChatEvent, key: string, outcome: MirrorOutcome): Promise<string | null> {
    if (!(await this.store.incidentExists(key))) {
      outcome.replies.push(`There is no incident ${key}; this room stays as it was.`);
      return this.incidentFor(event);
    }
    await this.store.linkChannel({
      platform: event.platform,
      channel: event.channel,
      incident: key,
      webhookUrl: null,
      createdAt: Date.now(),
      createdBy: event.action === "post" ? event.author : `bridge:${event.platform}`,
    });
    outcome.replies.push(`This room is now linked to ${key}: its messages go to the ${key} timeline.`);
    this.logger.info({ incident: key, platform: event.platform, channel: event.channel }, "room linked by command");
    return key;
  }

  private post(doc: Y.Doc, event: ChatPost, parsed: ReturnType<typeof parseChatCommand> | undefined, outcome: MirrorOutcome): "mirrored" | "duplicate" {
    const command = parsed && "command" in parsed ? parsed.command : undefined;
    const { created } = appendTimelineEntry(doc, {
      id: chatEntryId(event),
      at: event.at,
      author: event.author,
      source: event.platform,
      kind: command?.type === "decision" ? "decision" : "chat",
      text: event.text,
      pinned: command?.type === "decision" || command?.type === "key",
      external: {
        platform: event.platform,
        channel: event.channel,
        messageId: event.messageId,
        threadId: event.threadId,
        permalink: event.permalink,
      },
    });
    if (!created) return "duplicate";
    if (parsed && "malformed" in parsed) outcome.replies.push(`${parsed.malformed}. Your message is in the timeline as it is. (Say \`help\` for the commands.)`);
    if (command) {
      try {
        const reply = this.run(doc, command, { name: event.author, source: event.platform }, event.at);
        if (reply) outcome.replies.push(reply);
      } catch (error) {
        // The message stays mirrored; only the command's effect is refused.
        outcome.replies.push(`Could not do that: ${describeError(error)}`);
      }
    }
    return "mirrored";
  }

  private run(doc: Y.Doc, command: ChatCommand, actor: Actor, at: string): string | undefined {
    const who = { author: actor.name, source: actor.source, at };
    const now = new Date(at);
    switch (command.type) {
      case "observation":
        addObservation(doc, { ...who, text: command.text }, now);
        return undefined;
      case "theory":
        addTheory(doc, { ...who, text: command.text }, now);
        return undefined;
      case "experiment":
        addExperiment(doc, { ...who, text: command.text }, now);
        return undefined;
      case "change":
        recordChange(
          doc,
          {
            ...who,
            what: command.what,
            how: command.how,
            why: command.why,
            revertSteps: /^none\.?$/i.test(command.revertSteps) ? "" : command.revertSteps,
            state: "applied",
          },
          now,
        );
        return undefined;
      case "severity":
        setSeverity(doc, command.severity, actor, now);
        return undefined;
      case "status":
        setStatus(doc, command.status, actor, now);
        return undefined;
      case "role":
        assignRole(doc, { role: command.role, holder: command.holder }, actor, now);
        return undefined;
      case "help":
        return COMMAND_HELP;
      case "decision":
      case "key":
      case "link":
        return undefined;
    }
  }

  /** Edits, deletions and pins follow the message they are about, if it was mirrored. */
  private follow(doc: Y.Doc, event: Exclude<ChatEvent, ChatPost | { action: "rename" }>): "edited" | "deleted" | "pinned" | "unknown_message" {
    const id = chatEntryId(event);
    if (!readTimelineEntry(doc, id)) return "unknown_message";
    switch (event.action) {
      case "edit":
        editTimelineEntry(doc, id, event.text, event.at);
        return "edited";
      case "delete":
        markTimelineEntryDeleted(doc, id, event.at);
        return "deleted";
      case "pin":
        setTimelineEntryPinned(doc, id, true);
        return "pinned";
    }
  }
}
