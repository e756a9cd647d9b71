import type { Element, Root as HastRoot, RootContent } from "hast";
import { type Schema, sanitize } from "hast-util-sanitize";
import type { Link, Nodes, Parents, PhrasingContent, Root } from "mdast";
import { headingDepth } from "#shared/doc/index.ts";

/**
 * The one sanitizer every export goes through. Anyone who can edit an incident can
 * put any string into it (over the websocket nothing but the document's shape is
 * checked), and the postmortem is read by people with more rights — so a link must
 * never carry a script into Markdown, HTML or Confluence.
 *
 * Two layers, both with the same allow-list of schemes:
 * 1. `sanitizeTree` on the mdast tree every format is derived from: a link whose URL
 *    is not an absolute http, https or mailto URL becomes its plain text, and text
 *    loses the control characters XML cannot hold.
 * 2. `sanitizeHast` (hast-util-sanitize with `EXPORT_SCHEMA`) on the hast derived
 *    from that tree, for HTML and Confluence: only the elements and attributes the
 *    exporter itself produces survive, whatever a bug upstream lets through.
 */

/** Schemes a link in an export may use. */
const ALLOWED_SCHEMES = ["http", "https", "mailto"] as const;

/**
 * The URL as it is safe to write into an export, or null when it must not be a link.
 *
 * Only absolute URLs are kept: an export is read as a file, a Confluence page or a
 * Git host's rendering, where a relative link or a fragment would point somewhere
 * other than the author meant (the exporter writes no anchors to jump to). The URL
 * goes through the WHATWG parser, which does what a browser does to a scheme —
 * drop surrounding spaces and control characters, remove tabs and newlines inside,
 * fold case — so `JaVa\tScRiPt:` is seen for what it is; and the parser's own
 * serialisation is what gets written, so nothing a reader decodes later (an `&#58;`
 * that CommonMark turns into `:`) can change the scheme that was checked.
 */
export function safeUrl(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length > 8192) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const scheme = url.protocol.slice(0, -1);
  if (!(ALLOWED_SCHEMES as readonly string[]).includes(scheme)) return null;
  // http(s) URLs always have a host after the parser; mailto needs an address.
  if (scheme === "mailto" && url.pathname.length === 0) return null;
  return url.href;
}

// C0 controls other than tab, line feed and carriage return, DEL, C1 controls, and the
// two non-characters: XML 1.0 cannot hold them (a Confluence page would not load)
// and they mean nothing in a postmortem.
const UNWANTED = "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF]";
const HAS_UNWANTED = new RegExp(UNWANTED);
const ALL_UNWANTED = new RegExp(UNWANTED, "g");

/** Text with the characters no export format should carry removed. */
function cleanText(value: string): string {
  // Testing first keeps the common case (nothing to remove) from copying the string.
  return HAS_UNWANTED.test(value) ? value.replace(ALL_UNWANTED, "") : value;
}

/**
 * Makes an mdast tree safe in place, for every format: unsafe links and images
 * become their text, definitions with unsafe URLs are dropped, headings keep a
 * depth of 1–6, and text values lose unwanted characters. Returns the tree.
 */
export function sanitizeTree<T extends Root>(tree: T): T {
  visit(tree);
  return tree;
}

function visit(node: Nodes): void {
  if ("value" in node && typeof node.value === "string") node.value = cleanText(node.value);
  if (node.type === "heading") node.depth = headingDepth(node.depth) ?? 6;
  if (!("children" in node)) return;
  const parent = node as Parents;
  const kept = parent.children as Nodes[];
  // A new list of children only from the first child that is dropped or replaced:
  // most parents (every cell of a 10,000-row timeline) keep theirs as they are.
  let children: Nodes[] | null = null;
  for (let index = 0; index < kept.length; index++) {
    const child = kept[index];
    if (child.type === "link" || child.type === "linkReference") {
      const url = child.type === "link" ? safeUrl(child.url) : null;
      if (url === null) {
        // The words stay, the link goes.
        children ??= kept.slice(0, index);
        for (const inner of child.children) {
          visit(inner);
          children.push(inner);
        }
        continue;
      }
      (child as Link).url = url;
    } else if (child.type === "image" || child.type === "imageReference") {
      // Exports never load anything when opened: an image is shown as a link to it.
      const url = child.type === "image" ? safeUrl(child.url) : null;
      const label: PhrasingContent = { type: "text", value: cleanText(child.alt || "image") };
      children ??= kept.slice(0, index);
      children.push(url === null ? label : { type: "link", url, children: [label] });
      continue;
    } else if (
      child.type === "definition" ||
      child.type === "html" ||
      child.type === "footnoteDefinition"
    ) {
      // The exporter writes none of these; raw HTML in particular must never pass.
      children ??= kept.slice(0, index);
      continue;
    }
    visit(child);
    children?.push(child);
  }
  if (children) parent.children = children as typeof parent.children;
}

/**
 * A heading depth from anything a document may hold (TipTap stores `level` as a
 * number, but a hostile client may write a string, NaN or 9): an integer 1–6, a
 * finite number rounded and clamped into it, or null when it is not a number at all.
 */

/**
 * What HTML and Confluence exports may contain: exactly the elements and attributes
 * the exporter produces, links only with the allowed schemes. Anything else is
 * unwrapped (its text kept) or, for script and style, dropped.
 */
export const EXPORT_SCHEMA: Schema = {
  tagNames: [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "u",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
  ],
  attributes: {
    a: ["href"],
    ol: ["start"],
    code: [["className", /^language-[\w+#.-]+$/]],
    ul: [["className", "facts"]],
    table: [["className", "timeline", "changes"]],
    div: [
      ["className", "warning"],
      ["role", "note"],
    ],
    th: [["align", "left", "center", "right"]],
    td: [["align", "left", "center", "right"]],
  },
  ancestors: { tbody: ["table"], thead: ["table"], tr: ["table"], th: ["table"], td: ["table"] },
  protocols: { href: [...ALLOWED_SCHEMES] },
  strip: ["script", "style"],
  // The exporter writes no ids or names; nothing to prefix.
  clobber: [],
  clobberPrefix: "",
  allowComments: false,
  allowDoctypes: false,
};

/** The parts a table is made of, which `EXPORT_SCHEMA` allows inside a table. */
const TABLE_PARTS = new Set(["thead", "tbody", "tr", "th", "td"]);

/** Whether everything below `node` is a table part without properties, or text. */
function plainParts(node: Element): boolean {
  for (const child of node.children) {
    if (child.type === "text") continue;
    if (
      child.type !== "element" ||
      !TABLE_PARTS.has(child.tagName) ||
      Object.keys(child.properties).length > 0 ||
      !plainParts(child)
    )
      return false;
  }
  return true;
}

/**
 * Whether the schema keeps plain table parts as they are: checked on a sample by the
 * sanitizer itself, so a stricter schema turns the shortcut below off.
 */
const KEEPS_PLAIN_PARTS = (() => {
  const cell = (tagName: string): Element => ({
    type: "element",
    tagName,
    properties: {},
    children: [{ type: "text", value: "<x> & y" }],
  });
  const part = (tagName: string, children: Element[]): Element => ({
    type: "element",
    tagName,
    properties: {},
    children,
  });
  const sample: HastRoot = {
    type: "root",
    children: [
      part("table", [
        part("thead", [part("tr", [cell("th")])]),
        part("tbody", [part("tr", [cell("td")])]),
      ]),
    ],
  };
  return JSON.stringify(sanitize(sample, EXPORT_SCHEMA)) === JSON.stringify(sample);
})();

/**
 * The hast of an export with everything outside `EXPORT_SCHEMA` removed.
 *
 * The sanitizer copies every node it keeps, which on a 10,000-row timeline is most
 * of what the HTML export allocates. Inside a table made only of table parts
 * without properties and text, it would copy each node unchanged (text is kept as
 * it is, the parts are allowed inside a table, and with no properties there is no
 * attribute to drop), so such a table's rows are kept as they are and only the table
 * element itself, with its attributes, goes through the sanitizer. The sanitizer
 * treats each child of the root on its own, so sanitizing them one by one gives the
 * same tree.
 */
export function sanitizeHast(tree: HastRoot): HastRoot {
  if (!KEEPS_PLAIN_PARTS) return sanitize(tree, EXPORT_SCHEMA) as HastRoot;
  const children: RootContent[] = [];
  let pending: RootContent[] = [];
  const flush = () => {
    if (pending.length)
      children.push(
        ...(sanitize({ type: "root", children: pending }, EXPORT_SCHEMA) as HastRoot).children,
      );
    pending = [];
  };
  for (const node of tree.children) {
    if (node.type !== "element" || node.tagName !== "table" || !plainParts(node)) {
      pending.push(node);
      continue;
    }
    flush();
    const shell = (
      sanitize({ type: "root", children: [{ ...node, children: [] }] }, EXPORT_SCHEMA) as HastRoot
    ).children;
    const table = shell.length === 1 ? shell[0] : undefined;
    if (table?.type === "element" && table.tagName === "table")
      children.push({ ...table, children: node.children });
    else
      children.push(
        ...(sanitize({ type: "root", children: [node] }, EXPORT_SCHEMA) as HastRoot).children,
      );
  }
  flush();
  return { type: "root", children };
}
