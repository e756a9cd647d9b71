import type { Root } from "mdast";
import { gfmToMarkdown } from "mdast-util-gfm";
import { type Handle, toMarkdown } from "mdast-util-to-markdown";
import type { CellText, Underline, Warning } from "./customNodes.ts";

/**
 * The postmortem tree as Markdown, serialised by mdast-util-to-markdown (CommonMark,
 * with GFM tables so GitHub renders the change log and timeline as tables). Leaving
 * the serialisation to the library leaves escaping to it too.
 */
export function treeToMarkdown(tree: Root): string {
  return toMarkdown(tree, {
    // Cells are not padded to align the pipes, and their text goes through
    // `escapeCell`: on a 10,000-row timeline the library's general escaping of
    // every cell costs over a second.
    extensions: [gfmToMarkdown({ tablePipeAlign: false })],
    handlers: { cellText, warning, underline } as Record<string, Handle>,
    bullet: "-",
    emphasis: "_",
    rule: "-",
  });
}

const cellText: Handle = (node: CellText) => escapeCell(node.value);
const warning: Handle = (node: Warning, _parent, state, info) => state.containerFlow(node, info);
const underline: Handle = (node: Underline, _parent, state, info) =>
  state.containerPhrasing(node, info);

/**
 * Text for one table cell. A GFM row is one line, so every line ending CommonMark
 * knows (LF, CR, CRLF) and the Unicode line and paragraph separators, which some
 * renderers also break on, become a space; otherwise a lone CR ends the row and what
 * follows is read as new rows or headings. Then every ASCII punctuation character
 * that can start inline markup is backslash-escaped (CommonMark lets any ASCII
 * punctuation be), and so is `|`, which GFM honours even inside code spans.
 */
export function escapeCell(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/[\\`*_[\]<>|&~!]/g, "\\$&");
}
