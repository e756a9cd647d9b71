import { formatInstant } from "./instants.ts";
import type { Postmortem } from "./postmortem.ts";

const ACTION_WORDS: Record<string, string> = {
  edited: "edited",
  retimed: "re-timed",
  deleted: "removed",
  key: "marked a key event",
  unkey: "unmarked as a key event",
};

/**
 * The timeline's "What" cell: the entry's text with what happened to it after it was
 * written (deleted or edited at the source, corrected in hotdoc: by whom, when, and
 * the old time of a re-timing), or, for an entry removed in hotdoc, who removed it,
 * when and why in place of the text.
 */
export function timelineEntryWhat(e: Postmortem["timeline"][number]): string {
  if (e.removed)
    return `Entry removed by ${e.removed.by} at ${formatInstant(e.removed.at)}: ${e.removed.reason}`;
  const corrections = e.corrections ?? [];
  const marks = corrections.map(
    (c) =>
      `${ACTION_WORDS[c.action] ?? c.action} by ${c.by} at ${formatInstant(c.at)}` +
      (c.from ? ` (was ${formatInstant(c.from)})` : ""),
  );
  // An edit hotdoc did not record came from the source (chat).
  if (e.deleted) marks.unshift("deleted at source");
  else if (e.edited && !corrections.some((c) => c.action === "edited")) marks.unshift("edited");
  return marks.length ? `${e.text} (${marks.join("; ")})` : e.text;
}
