import { IncidentKeySchema } from "../doc/schema.ts";
import {
  type RoleKind,
  type Severity,
  STATUSES,
  type Status,
  type StreamState,
} from "../doc/vocabulary.ts";

/**
 * Chat as a shared command line. One syntax on every platform: a keyword at the
 * start of the message, followed by a space, a colon, a `[stream]` or nothing (so
 * "tl;dr" is talk). Keywords that carry text take a colon (`obs: …`); keywords
 * that take one value take exactly one word (`sev 2`). Case does not matter.
 *
 *   obs: <text>                     an observation
 *   theory: <text>                  a theory
 *   try: <text>                     an experiment (also `experiment:`)
 *   decision: <text>                a decision (a key event)
 *   change: <what> revert: <steps>  a change with its revert steps (`how:` and `why:` may follow `what`)
 *   sev 1 | sev 2 | sev 3           set the severity
 *   status fixing|resolved|closed   move the status
 *   im @name                        assign the incident manager (also `tl`, `comms`, `backup`)
 *   link HOT-12                     link this room to an incident
 *   !key <text>  or  📌 <text>       mirror the message as a key event
 *   stream: <name> lead @name       start a work stream with its tech lead (`lead @name` is optional, and last)
 *   stream [name] done|reopen       end a work stream, or take it up again
 *   tl [name] @name                 give a work stream a new tech lead
 *   streams                         list the work streams
 *   page <team> <why>               page another team's on-call (a configured team; the why goes on the page)
 *   hotdoc declare sev2 <summary>   declare a new incident (opens its room where the platform's API is set up); only when addressed
 *   help                            list the commands
 *
 * A message may start with `/hotdoc` or `hotdoc` (how a slash command reads, and how
 * people address the bot where there are no slash commands: Matrix, Teams).
 *
 * Work streams: a stream's name in square brackets right after the keyword tags
 * what the command adds with that stream: `obs [db failover]: replica lag 40s`,
 * `theory [db]: …`, `try [db]: …`, `change [db]: … revert: …`, `decision [db]: …`,
 * `!key [db] …`, `📌 [db] …`. The bracket must come before the colon, so the text of
 * an ordinary message (an alert's "[FIRING] …") is never read as a tag. The name may
 * be shortened to the start of one stream's name; the message itself is tagged too.
 *
 * Anything else is an ordinary message. A message that starts with a keyword but
 * does not parse is a malformed command: it is still mirrored, and gets a reply.
 */
/** `stream` is the work stream named in brackets after the keyword, as typed (resolved against the document when the command runs). */
export type ChatCommand =
  | { type: "observation"; text: string; stream?: string }
  | { type: "theory"; text: string; stream?: string }
  | { type: "experiment"; text: string; stream?: string }
  | { type: "decision"; text: string; stream?: string }
  | {
      type: "change";
      what: string;
      how: string;
      why: string;
      revertSteps: string;
      stream?: string;
    }
  | { type: "severity"; severity: Severity }
  | { type: "status"; status: Status }
  | { type: "role"; role: RoleKind; holder: string; stream?: string }
  | { type: "link"; key: string }
  | { type: "key"; text: string; stream?: string }
  | { type: "stream"; name: string; lead: string }
  | { type: "streamState"; stream: string; state: StreamState }
  | { type: "streams" }
  | { type: "declare"; severity: Severity; summary: string }
  | { type: "page"; text: string }
  | { type: "help" };

export type ParsedChat = { command: ChatCommand } | { malformed: string } | { plain: true };

const ROLE_WORDS: Record<string, RoleKind> = {
  im: "incident_manager",
  backup: "backup_im",
  tl: "tech_lead",
  comms: "comms_manager",
};

export const COMMAND_HELP = [
  "hotdoc commands (start a message with one):",
  "obs: <text> · theory: <text> · try: <text> · decision: <text>",
  "change: <what> revert: <how to undo>  (how: and why: are optional)",
  "sev 1|2|3 · status fixing|resolved|closed · im|tl|comms|backup @name",
  "link HOT-12 · !key <text> marks a key event · page <team> <why> pages a team's on-call · help",
  "hotdoc declare sev2 <summary> (or /hotdoc declare …) declares a new incident",
  "stream: <name> lead @name starts a work stream · stream [name] done|reopen · tl [name] @name · streams",
  "[name] after a keyword tags it with a work stream: obs [db]: replica lag 40s",
].join("\n");

function words(text: string): {
  head: string;
  tag: string | undefined;
  colon: boolean;
  rest: string;
} {
  const match = /^\s*(!?[A-Za-z]+)(?=[\s:[]|$)(?:\s*\[([^[\]\r\n]*)\])?\s*(:?)\s*([\s\S]*)$/u.exec(
    text,
  );
  return match
    ? {
        head: match[1].toLowerCase(),
        tag: match[2]?.trim(),
        colon: match[3] === ":",
        rest: match[4].trim(),
      }
    : { head: "", tag: undefined, colon: false, rest: text };
}

/** Where a lead is named in `stream: …`: "lead @" or "lead:" ("the lead pipeline" is part of a name). */
const LEAD_MARK = /(?:^|\s)lead(?:\s*:|\s+@)/iu;

/**
 * `stream: <name> lead @who` (or `lead: who`): the name and the lead, "" when none is
 * named. The lead is one word, the message's last; anything else after the mark (a
 * sentence that happens to say "lead @ana", a second lead, nobody) is null.
 */
function streamParts(rest: string): { name: string; lead: string } | null {
  // A name and a lead are 200 characters each, so a longer text is all name (and refused
  // as too long); not searching it keeps a message of spaces from costing seconds.
  if (rest.length > 450 || !LEAD_MARK.test(rest)) return { name: rest.trim(), lead: "" };
  const match = /^([\s\S]*?)(?:^|\s+)lead(?:\s*:\s*@?|\s+@)([^\s@]\S*)$/iu.exec(rest);
  if (!match || LEAD_MARK.test(match[1])) return null;
  return { name: match[1].trim(), lead: match[2] };
}

/** Keywords that carry text only count as commands with a colon (`obs: …`), so "change the config" stays talk. */
const TEXT_COMMANDS = new Set([
  "obs",
  "observation",
  "theory",
  "try",
  "experiment",
  "decision",
  "change",
]);
/** Keywords whose record may be tagged with a work stream (`obs [db]: …`). */
const TAGGABLE = new Set([...TEXT_COMMANDS, "!key", "tl", "stream"]);

/** Keywords that take one value only count when exactly one word follows (`sev 2`, `im @alice`). */
const VALUE_COMMANDS = new Set([
  "sev",
  "severity",
  "status",
  "im",
  "backup",
  "tl",
  "comms",
  "link",
]);

/** Splits `change:` content into what / how / why / revert by their labels. */
function changeParts(rest: string): {
  what: string;
  how: string;
  why: string;
  revertSteps: string;
} {
  const labelled = /\b(how|why|revert)\s*:/gi;
  const parts: Record<string, string> = { what: "", how: "", why: "", revert: "" };
  let label = "what";
  let last = 0;
  for (const match of rest.matchAll(labelled)) {
    parts[label] = rest.slice(last, match.index).trim();
    label = match[1].toLowerCase();
    last = (match.index ?? 0) + match[0].length;
  }
  parts[label] = rest.slice(last).trim();
  return { what: parts.what, how: parts.how, why: parts.why, revertSteps: parts.revert };
}

/**
 * Reads a chat message as a command, a malformed command (with the reason), or plain
 * talk. `mentions` are the names the platform marked as mentions in the text.
 */
export function parseChatCommand(text: string, mentions: readonly string[] = []): ParsedChat {
  const addressed = /^\s*\/?hotdoc\s+/iu.exec(text);
  const trimmed = (addressed ? text.slice(addressed[0].length) : text).trim();
  if (trimmed.startsWith("📌")) {
    const after = trimmed.slice("📌".length).trim();
    const tagged = /^\[([^[\]\r\n]*)\]\s*([\s\S]*)$/u.exec(after);
    const tag = tagged?.[1].trim();
    const rest = tagged ? tagged[2].trim() : after;
    if (tag === "") return { malformed: "[] needs the name of a work stream inside" };
    return rest
      ? { command: { type: "key", text: rest, ...(tag ? { stream: tag } : {}) } }
      : { malformed: "📌 needs the text of the key event after it" };
  }
  const { head, tag, colon, rest } = words(trimmed);
  if (head === "stream") return streamCommand(tag, colon, rest);
  if (head === "declare" && tag === undefined) return declareCommand(rest, addressed !== null);
  if (head === "streams")
    return rest || colon || tag !== undefined ? { plain: true } : { command: { type: "streams" } };
  if (TEXT_COMMANDS.has(head) && !colon) return { plain: true };
  // A mention the platform marked (`<at>Ana Diaz</at>`) is one value, spaces and all.
  const oneMention = mentions.includes(rest.replace(/^@/, ""));
  if (VALUE_COMMANDS.has(head) && (rest === "" || (/\s/.test(rest) && !oneMention)) && !colon)
    return { plain: true };
  if (
    tag !== undefined &&
    (TEXT_COMMANDS.has(head) || VALUE_COMMANDS.has(head) || head === "!key")
  ) {
    if (!TAGGABLE.has(head))
      return {
        malformed: `${head} takes no work stream; a [name] goes after obs, theory, try, change, decision, !key or tl`,
      };
    if (!tag) return { malformed: "[] needs the name of a work stream inside" };
  }
  const stream = tag ? { stream: tag } : {};
  switch (head) {
    case "obs":
    case "observation":
      return rest
        ? { command: { type: "observation", text: rest, ...stream } }
        : { malformed: "obs: needs what you observed, e.g. `obs: 5xx at 30% in EU`" };
    case "theory":
      return rest
        ? { command: { type: "theory", text: rest, ...stream } }
        : {
            malformed: "theory: needs the theory, e.g. `theory: the new release leaks connections`",
          };
    case "try":
    case "experiment":
      return rest
        ? { command: { type: "experiment", text: rest, ...stream } }
        : { malformed: "try: needs the experiment, e.g. `try: roll back payments-api`" };
    case "decision":
      return rest
        ? { command: { type: "decision", text: rest, ...stream } }
        : { malformed: "decision: needs the decision" };
    case "change": {
      const parts = changeParts(rest);
      if (!parts.what)
        return {
          malformed:
            "change: needs what was changed, e.g. `change: rolled back api revert: deploy v2`",
        };
      if (!parts.revertSteps)
        return {
          malformed:
            "change: needs revert steps, e.g. `change: rolled back api revert: deploy v2` (write `revert: none` if there are none)",
        };
      return { command: { type: "change", ...parts, ...stream } };
    }
    case "sev":
    case "severity": {
      const level = Number(rest);
      return level === 1 || level === 2 || level === 3
        ? { command: { type: "severity", severity: level } }
        : { malformed: "sev needs 1, 2 or 3, e.g. `sev 2`" };
    }
    case "status": {
      const status = rest.toLowerCase() as Status;
      return STATUSES.includes(status) && status !== "new"
        ? { command: { type: "status", status } }
        : { malformed: "status needs fixing, resolved or closed, e.g. `status resolved`" };
    }
    case "im":
    case "backup":
    case "tl":
    case "comms": {
      const holder = rest.replace(/^@/, "").trim();
      return holder && !/\s{2,}/.test(holder)
        ? { command: { type: "role", role: ROLE_WORDS[head], holder, ...stream } }
        : { malformed: `${head} needs a person, e.g. \`${head} @alice\`` };
    }
    case "link": {
      const key = rest.toUpperCase();
      return IncidentKeySchema.safeParse(key).success
        ? { command: { type: "link", key } }
        : { malformed: "link needs an incident key, e.g. `link HOT-12`" };
    }
    case "!key":
      return rest
        ? { command: { type: "key", text: rest, ...stream } }
        : { malformed: "!key needs the text of the key event" };
    case "page":
      // "page <team> <why>": the team is matched against the configured ones when it runs.
      return rest
        ? { command: { type: "page", text: rest } }
        : { malformed: "page needs a team and why, e.g. `page Database on-call replica lag 40s`" };
    case "help":
      return rest ? { plain: true } : { command: { type: "help" } };
    default:
      return { plain: true };
  }
}

/**
 * `stream: <name> lead @who` starts a stream; `stream [name] done` (or `reopen`)
 * ends one or takes it up again. Without a colon or a bracket, "stream" is talk.
 */
function streamCommand(tag: string | undefined, colon: boolean, rest: string): ParsedChat {
  if (tag === undefined) {
    if (!colon) return { plain: true };
    const parts = streamParts(rest);
    if (!parts)
      return {
        malformed:
          "stream: takes one person at the end after lead, e.g. `stream: Database failover lead @ana`",
      };
    const { name, lead } = parts;
    return name
      ? { command: { type: "stream", name, lead } }
      : {
          malformed: "stream: needs the stream's name, e.g. `stream: Database failover lead @ana`",
        };
  }
  if (colon)
    return {
      malformed:
        "stream: takes the new stream's name without brackets, e.g. `stream: Database failover lead @ana`",
    };
  if (rest === "" || /\s/.test(rest)) return { plain: true };
  if (!tag) return { malformed: "[] needs the name of a work stream inside" };
  const word = rest.toLowerCase();
  if (word === "done" || word === "end" || word === "ended")
    return { command: { type: "streamState", stream: tag, state: "done" } };
  if (word === "reopen" || word === "active")
    return { command: { type: "streamState", stream: tag, state: "active" } };
  return { malformed: `stream [${tag}] needs done or reopen, e.g. \`stream [${tag}] done\`` };
}

/**
 * `hotdoc declare sev2 Checkout is failing` (also `sev 2`, `SEV-2`, `S2`), or the slash
 * command's `declare …`. A declaration opens an incident and a room, so it counts only
 * when the bot is addressed: "Declare sev1 if the error rate keeps climbing" said to the
 * room is talk.
 */
function declareCommand(rest: string, addressed: boolean): ParsedChat {
  if (!addressed) return { plain: true };
  const match = /^(?:sev(?:erity)?[\s-]*|s)([123])\b[\s:,-]*([\s\S]*)$/iu.exec(rest);
  const usage =
    "declare needs a severity and a summary, e.g. `/hotdoc declare sev2 Checkout is failing`";
  if (!match) return { malformed: usage };
  const summary = match[2].replace(/\s+/g, " ").trim();
  if (!summary) return { malformed: usage };
  return { command: { type: "declare", severity: Number(match[1]) as Severity, summary } };
}
