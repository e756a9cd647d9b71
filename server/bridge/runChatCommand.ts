import type * as Y from "yjs";
import { type ChatCommand, COMMAND_HELP } from "#shared/chat/commands.ts";
import {
  type Actor,
  addExperiment,
  addObservation,
  addStream,
  addTheory,
  assignRole,
  readIncidentSummary,
  readStreams,
  recordChange,
  setSeverity,
  setStatus,
  setStreamState,
  type WorkStream,
} from "#shared/doc/index.ts";

/**
 * What a chat command does to the incident's document, and what it answers in the room
 * (undefined: nothing to say). Runs inside the write that mirrored the message, so a
 * redelivered message, whose entry exists already, never runs its command again.
 */
export function runChatCommand(
  doc: Y.Doc,
  command: ChatCommand,
  actor: Actor,
  at: string,
  streamId: string | undefined,
): string | undefined {
  const who = { author: actor.name, source: actor.source, at, streamId };
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
    case "role": {
      assignRole(doc, { role: command.role, holder: command.holder, streamId }, actor, now);
      // Naming the IM no longer moves the status by itself (shared/doc/incident.ts): the
      // room is told the one step left, as the handbook has the IM take it.
      if (command.role === "incident_manager" && readIncidentSummary(doc).status === "new")
        return `${command.holder} is the incident manager. The status is still new: say \`status fixing\` once the response is under way.`;
      return undefined;
    }
    case "stream":
      addStream(doc, { name: command.name, techLead: command.lead, at }, actor, now);
      return `Work stream ${command.name} started${command.lead ? `, led by ${command.lead}` : ", with no tech lead yet (`tl [name] @someone` names one)"}. Tag what belongs to it with its name in brackets, e.g. \`obs [${command.name}]: …\``;
    case "streamState": {
      const stream = readStreams(doc).find((s) => s.id === streamId);
      if (!stream) return undefined;
      if (stream.state === command.state)
        return `Work stream ${stream.name} is already ${command.state}; nothing changed.`;
      setStreamState(doc, stream.id, command.state, actor, now);
      return undefined;
    }
    case "streams":
      return describeStreams(readStreams(doc));
    case "help":
      return COMMAND_HELP;
    // Handled where they are said: a decision or key event is the message itself, a link,
    // a declaration and a page act outside this incident's document (ChatMirror).
    case "decision":
    case "key":
    case "link":
    case "declare":
    case "page":
      return undefined;
  }
}

/** The `streams` command's answer: each stream with its lead and state. */
function describeStreams(streams: readonly WorkStream[]): string {
  if (streams.length === 0)
    return "No work streams yet. Start one with `stream: <name> lead @someone`.";
  return [
    "Work streams:",
    ...streams.map(
      (s) =>
        `[${s.name}] ${s.techLead ? `led by ${s.techLead}` : "no tech lead"}${s.state === "done" ? " (done)" : ""}`,
    ),
  ].join("\n");
}
