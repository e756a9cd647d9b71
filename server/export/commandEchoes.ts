import { type ChatCommand, parseChatCommand } from "#shared/chat/commands.ts";
import { CHAT_SOURCES, type IncidentDocument } from "#shared/doc/index.ts";

/** The kinds of timeline entry each chat command writes when it changes the document. */
const COMMAND_WRITES: Partial<Record<ChatCommand["type"], readonly string[]>> = {
  observation: ["observation"],
  theory: ["theory"],
  experiment: ["experiment"],
  change: ["change"],
  severity: ["severity"],
  status: ["status"],
  role: ["role"],
  stream: ["role", "note"],
  streamState: ["note"],
};

/**
 * The mirrored chat lines that were commands which wrote to the document themselves: `obs:
 * …` and the observation it recorded, `sev 1` and the severity change. The postmortem
 * keeps what the command wrote (typed, linked to its record) and leaves out the line
 * that asked for it, so nothing is listed twice. The bridge runs a message's command in
 * the same write, as the message's author and at the message's time (runChatCommand),
 * so such a line is a mirrored chat message (it has a chat `external` reference) that
 * reads as a command, with an entry of the kind that command writes, written by hotdoc
 * (no `external`) at the same instant, by the same author, from the same platform. Both
 * conditions, because a platform may give times to the second (Mattermost): a plain
 * message sent in the same second as a command stays. A command that wrote nothing
 * (refused, a no-op, `help`) keeps its line, and so do decisions and key events, which
 * are the message itself. So does a line edited since (`editedAt`, at the source or in
 * hotdoc): the record holds what the command said at first, the line what its author
 * says now, and dropping the line would lose that.
 */
export function commandEchoes(timeline: IncidentDocument["timeline"]): Set<string> {
  const said = (e: IncidentDocument["timeline"][number], kind: string) =>
    `${e.at}\u0000${e.source}\u0000${e.author}\u0000${kind}`;
  const written = new Set(
    timeline
      .filter((e) => !e.external && (CHAT_SOURCES as readonly string[]).includes(e.source))
      .map((e) => said(e, e.kind)),
  );
  const echoes = new Set<string>();
  for (const e of timeline) {
    if (!e.external || e.kind !== "chat" || e.editedAt) continue;
    const parsed = parseChatCommand(e.text);
    const kinds = "command" in parsed ? COMMAND_WRITES[parsed.command.type] : undefined;
    if (kinds?.some((kind) => written.has(said(e, kind)))) echoes.add(e.id);
  }
  return echoes;
}
