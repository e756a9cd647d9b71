import type { Root as HastRoot } from "hast";
import type { Root } from "mdast";
import { type Handler, toHast } from "mdast-util-to-hast";
import type { CellText, Underline, Warning } from "./customNodes.ts";
import { sanitizeHast } from "./sanitize.ts";

const handlers: Record<string, Handler> = {
  cellText: (_state, node: CellText) => ({ type: "text", value: node.value }),
  underline: (state, node: Underline) => ({
    type: "element",
    tagName: "u",
    properties: {},
    children: state.all(node),
  }),
  warning: (state, node: Warning) => ({
    type: "element",
    tagName: "div",
    properties: { className: ["warning"], role: "note" },
    children: state.wrap(state.all(node), true),
  }),
};

/**
 * The postmortem tree as hast for the HTML and Confluence exports: converted by
 * mdast-util-to-hast (raw HTML never passes: the tree has none and
 * `allowDangerousHtml` stays off), then cut down to `EXPORT_SCHEMA` by
 * hast-util-sanitize. Format-specific wrapping (the page around it, Confluence's
 * macros) is added after this, by trusted code only.
 */
export function treeToSafeHast(tree: Root): HastRoot {
  const hast = toHast(tree, { handlers }) as HastRoot;
  return sanitizeHast(hast);
}
