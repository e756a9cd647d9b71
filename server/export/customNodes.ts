import type { Literal, Paragraph, Parent, PhrasingContent } from "mdast";

/**
 * The three mdast node types the postmortem tree uses beyond CommonMark and GFM.
 * Each format's serialiser has a handler for each (markdown.ts, hast.ts).
 */

/**
 * Plain text in a table cell. It has its own type so Markdown can escape it with a
 * single regular expression (`escapeCell`) instead of the library's general
 * escaping, which cost over a second on a 10,000-row timeline (commit e429dd8).
 */
export interface CellText extends Literal {
  type: "cellText";
}

/** A warning box: a styled note in HTML, the warning macro in Confluence, a bold "Warning:" paragraph in Markdown. */
export interface Warning extends Parent {
  type: "warning";
  children: Paragraph[];
}

/** Underlined text (TipTap's underline mark): `<u>` in HTML, plain text in Markdown, which has no underline. */
export interface Underline extends Parent {
  type: "underline";
  children: PhrasingContent[];
}

declare module "mdast" {
  interface PhrasingContentMap {
    cellText: CellText;
    underline: Underline;
  }
  interface BlockContentMap {
    warning: Warning;
  }
  interface RootContentMap {
    cellText: CellText;
    underline: Underline;
    warning: Warning;
  }
}
