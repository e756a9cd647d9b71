import type * as Y from "yjs";
import { bridgePrincipal } from "#shared/access.ts";
import {
  type ChatEvent,
  ChatEventSchema,
  type ChatPlatform,
  type ChatPost,
  chatEntryId,
} from "#shared/chat/chatEvent.ts";
import { parseChatCommand } from "#shared/chat/commands.ts";
import {
  appendTimelineEntry,
  editTimelineEntry,
  findStream,
  markTimelineEntryDeleted,
  readTimelineEntry,
  setTimelineEntryPinned,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { validationError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Stores } from "../storage/stores.ts";
import type { ChatDeclarations } from "./ChatDeclarations.ts";
import type { DeliveryClaims } from "./DeliveryClaims.ts";
import { RoomRouting } from "./RoomRouting.ts";
import { runChatCommand } from "./runChatCommand.ts";

/** A role went to a person the platform named by id, in an incident. */
export type RoleGiven = (incident: string, platform: string, userId: string) => void;

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
/**
 * Runs `page <team> <why>` for incident `key`: answers at once with what it does (or why
 * it cannot), and pages in the background; the page's outcome lands in the timeline.
 */
export type PageCommand = (key: string, text: string, author: string) => string;

export class ChatMirror {
  private readonly stores: Pick<Stores, "chat" | "incidents">;
  private readonly incidents: IncidentService;
  private readonly metrics: Metrics;
  private readonly logger: Logger;
  private readonly routing: RoomRouting;
  private readonly declarations?: ChatDeclarations;
  private readonly roleGiven?: RoleGiven;
  private readonly claims?: DeliveryClaims;
  private readonly pageCommand?: PageCommand;
  /** The transaction being applied per platform transaction id, so deliveries of one id run one at a time. */
  private readonly transactions = new Map<string, Promise<void>>();

  constructor(options: {
    stores: Pick<Stores, "chat" | "incidents">;
    incidents: IncidentService;
    metrics: Metrics;
    logger: Logger;
    /** Declares incidents said in chat (`declare sev2 …`); without it, a declaration is talk. */
    declarations?: ChatDeclarations;
    /** Told when a role goes to a person the platform named by id (to invite them to the incident's room). */
    roleGiven?: RoleGiven;
    /** With several processes: a post reaching two of them at once is applied by one. */
    claims?: DeliveryClaims;
    /** `page <team> <why>`: pages the team (in the background) and says what it does; without it, talk. */
    pageCommand?: PageCommand;
  }) {
    this.stores = options.stores;
    this.incidents = options.incidents;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.declarations = options.declarations;
    this.routing = new RoomRouting(options.stores, options.logger);
    this.roleGiven = options.roleGiven;
    this.claims = options.claims;
    this.pageCommand = options.pageCommand;
  }

  async apply(events: ChatEvent[]): Promise<MirrorOutcome> {
    // Validate the whole delivery before writing any of it.
    const valid = events.map((event) => {
      const parsed = ChatEventSchema.safeParse(event);
      if (parsed.success) return parsed.data;
      throw validationError(parsed.error, "invalid_payload");
    });
    const outcome: MirrorOutcome = { replies: [], mirrored: 0, duplicates: 0, unlinked: 0 };
    for (const event of valid) await this.applyOne(event, outcome);
    if (outcome.replies.length > 0 && valid[0])
      outcome.room = { platform: valid[0].platform, channel: valid[0].channel };
    return outcome;
  }

  /**
   * Applies a platform transaction (Matrix txnId) once. A delivery whose id was applied
   * before changes nothing and gets the same answer, whatever it carries: the
   * application-service spec makes transactions idempotent by id, and a different body
   * under a used id is either a homeserver bug or someone replaying with the token.
   * Deliveries of one id are handled one at a time, and the id is recorded only after
   * its events are durable, so a failed attempt is retried rather than lost.
   */
  async applyTransaction(
    platform: ChatPlatform,
    transaction: { id: string; digest: string },
    events: ChatEvent[],
  ): Promise<MirrorOutcome> {
    const key = `${platform}\u0000${transaction.id}`;
    const previous = this.transactions.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const applied = await this.stores.chat.recordChatTransaction(platform, transaction.id, null);
      if (applied) {
        if (applied.digest === transaction.digest)
          this.logger.debug(
            { platform, txnId: transaction.id },
            "transaction retried: already applied",
          );
        else
          this.logger.warn(
            { platform, txnId: transaction.id },
            "transaction id reused with a different body: not applied (transactions are idempotent by id)",
          );
        this.metrics.chatMessages.inc({ platform, outcome: "duplicate" }, events.length);
        return { replies: [], mirrored: 0, duplicates: events.length, unlinked: 0 };
      }
      const outcome = await this.apply(events);
      await this.stores.chat.recordChatTransaction(
        platform,
        transaction.id,
        transaction.digest,
        Date.now(),
      );
      return outcome;
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.transactions.set(key, settled);
    void settled.then(() => {
      if (this.transactions.get(key) === settled) this.transactions.delete(key);
    });
    return run;
  }

  private async applyOne(event: ChatEvent, outcome: MirrorOutcome): Promise<void> {
    // Only a post creates anything (an entry, a command's effects, an incident): edits,
    // deletions and pins set what they set, however often they arrive.
    if (event.action !== "post" || !this.claims) return this.applyDelivery(event, outcome);
    const result = await this.claims.once(`${event.platform}:${chatEntryId(event)}`, () =>
      this.applyDelivery(event, outcome),
    );
    if (result === "duplicate") {
      outcome.duplicates++;
      this.metrics.chatMessages.inc({ platform: event.platform, outcome: "duplicate" });
    }
  }

  private async applyDelivery(event: ChatEvent, outcome: MirrorOutcome): Promise<void> {
    const command =
      event.action === "post" ? parseChatCommand(event.text, event.mentions) : undefined;
    let key: string | null;
    if (
      command &&
      "command" in command &&
      command.command.type === "link" &&
      !(await this.seen(event, command.command.key))
    ) {
      key = await this.routing.link(event, command.command.key, outcome.replies);
    } else {
      key = await this.routing.incidentFor(event);
    }
    if (event.action === "rename") return;
    const declared = command && "command" in command && command.command.type === "declare";
    if (declared && event.action === "post" && this.declarations && "command" in command) {
      const { severity, summary } = command.command as { severity: 1 | 2 | 3; summary: string };
      outcome.replies.push(
        ...(await this.declarations.declare({
          platform: event.platform,
          channel: event.channel,
          userId: event.authorId,
          userName: event.author,
          severity,
          summary,
          id: chatEntryId(event),
        })),
      );
      // Said in a room of no incident, the declaration is all there is to do.
      if (!key) return;
    }
    if (!key) {
      outcome.unlinked++;
      this.metrics.chatMessages.inc({ platform: event.platform, outcome: "unlinked" });
      this.logger.info(
        { platform: event.platform, channel: event.channel },
        "message from a room linked to no incident ignored",
      );
      return;
    }
    // The delivery acts as the platform's bridge for the incident the room's stored link
    // names (read afresh, not taken from `key`), and the policy decides what that may
    // write, as for every other writer: a routing bug that aimed a delivery at another
    // incident than its room's is refused, not written.
    const room = await this.stores.chat.findChannelLink(event.platform, event.channel);
    const result = await this.incidents.write(
      key,
      bridgePrincipal(event.platform, room?.incident ?? ""),
      (doc) =>
        event.action === "post" ? this.post(doc, event, command, outcome) : this.follow(doc, event),
      "bridge",
    );
    this.metrics.chatMessages.inc({ platform: event.platform, outcome: result });
    if (result === "mirrored" && event.action === "post") this.tellRoleGiven(key, event, command);
    if (
      result === "mirrored" &&
      event.action === "post" &&
      command &&
      "command" in command &&
      command.command.type === "page"
    )
      outcome.replies.push(
        this.pageCommand
          ? this.pageCommand(key, command.command.text, event.author)
          : "Paging is not set up in hotdoc (README › Paging and status pages).",
      );
    if (result === "mirrored") outcome.mirrored++;
    if (result === "duplicate") outcome.duplicates++;
    this.logger.debug(
      { incident: key, platform: event.platform, action: event.action, result },
      "chat event applied",
    );
  }

  /** A role given to the one person the message mentions by id: they may be invited to the room. */
  private tellRoleGiven(
    key: string,
    event: ChatPost,
    parsed: ReturnType<typeof parseChatCommand> | undefined,
  ): void {
    if (!this.roleGiven || !parsed || !("command" in parsed)) return;
    const type = parsed.command.type;
    if (type !== "role" && type !== "stream") return;
    const mentioned = event.userMentions ?? [];
    if (mentioned.length === 1) this.roleGiven(key, event.platform, mentioned[0].id);
  }

  /** True when this `link` message was mirrored already (a redelivery), to the room's incident or the target. */
  private async seen(event: ChatEvent, target: string): Promise<boolean> {
    if (event.action !== "post") return false;
    const id = chatEntryId(event);
    const keys = new Set<string>([target]);
    const link = await this.stores.chat.findChannelLink(event.platform, event.channel);
    if (link) keys.add(link.incident);
    for (const key of keys) {
      if (!(await this.stores.incidents.incidentExists(key))) continue;
      if (await this.incidents.withDoc(key, (doc) => readTimelineEntry(doc, id) !== undefined))
        return true;
    }
    return false;
  }

  private post(
    doc: Y.Doc,
    event: ChatPost,
    parsed: ReturnType<typeof parseChatCommand> | undefined,
    outcome: MirrorOutcome,
  ): "mirrored" | "duplicate" {
    let command = parsed && "command" in parsed ? parsed.command : undefined;
    // A work stream named in brackets is looked up before anything is written, so the
    // message is tagged with it too; a name that matches no stream refuses the command.
    // Only a done stream can be reopened, so a reopening looks among those first.
    let streamId: string | undefined;
    let refused: string | undefined;
    if (command && "stream" in command && command.stream) {
      const prefer =
        command.type === "streamState" && command.state === "active" ? "done" : "active";
      try {
        streamId = findStream(doc, command.stream, prefer).id;
      } catch (error) {
        refused = `Could not do that: ${describeError(error)}. Your message is in the timeline as it is.`;
        command = undefined;
      }
    }
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
        authorId: event.authorId,
        threadId: event.threadId,
        permalink: event.permalink,
      },
      streamId,
    });
    if (!created) return "duplicate";
    if (refused) outcome.replies.push(refused);
    if (parsed && "malformed" in parsed)
      outcome.replies.push(
        `${parsed.malformed}. Your message is in the timeline as it is. (Say \`help\` for the commands.)`,
      );
    if (command) {
      try {
        const reply = runChatCommand(
          doc,
          command,
          { name: event.author, source: event.platform },
          event.at,
          streamId,
        );
        if (reply) outcome.replies.push(reply);
      } catch (error) {
        // The message stays mirrored; only the command's effect is refused.
        outcome.replies.push(`Could not do that: ${describeError(error)}`);
      }
    }
    return "mirrored";
  }

  /** Edits, deletions and pins follow the message they are about, if it was mirrored. */
  private follow(
    doc: Y.Doc,
    event: Exclude<ChatEvent, ChatPost | { action: "rename" }>,
  ): "edited" | "deleted" | "pinned" | "unknown_message" | "foreign_edit" {
    const id = chatEntryId(event);
    const entry = readTimelineEntry(doc, id);
    if (!entry) return "unknown_message";
    switch (event.action) {
      case "edit":
        // Matrix lets anyone send an m.replace; the spec says one from another sender is ignored.
        // Ids where both are known (names are resolved, and may change); else the names.
        if (
          event.authorId && entry.external?.authorId
            ? event.authorId !== entry.external.authorId
            : event.author !== undefined &&
              event.author !== entry.author &&
              event.author !== entry.external?.authorId
        )
          return "foreign_edit";
        editTimelineEntry(doc, id, event.text, event.at);
        return "edited";
      case "delete":
        markTimelineEntryDeleted(doc, id, event.at);
        if (event.redacted) editTimelineEntry(doc, id, "", event.at);
        return "deleted";
      case "pin":
        setTimelineEntryPinned(doc, id, true);
        return "pinned";
    }
  }
}
