import type { Element, RootContent } from "hast";
import { type Options, toHtml } from "hast-util-to-html";

/** Elements a table of plain cells is made of: no attributes, no content but these and text. */
const TABLE_PARTS = new Set(["thead", "tbody", "tr", "th", "td"]);

const ESCAPED = /[<&]/;

/**
 * Sanitized hast nodes as hast-util-to-html serialises them side by side with
 * `options`, byte for byte. The library spends most of an export on a 10,000-row
 * timeline (an options object and an entity pass per text, an attribute pass and
 * a parts array per cell), so the rows of a table that holds only plain rows and
 * text are written by a loop here; every other node, and each table's own opening
 * tag, still goes through the library.
 */
export function hastNodesToHtml(nodes: readonly RootContent[], options?: Options): string {
  // The references the library writes for the two characters it escapes in text,
  // taken from the library itself so they follow `options`.
  const lt = toHtml({ type: "text", value: "<" }, options);
  const amp = toHtml({ type: "text", value: "&" }, options);
  const escapeText = (value: string) =>
    ESCAPED.test(value)
      ? value.replace(/[<&]/g, (character) => (character === "<" ? lt : amp))
      : value;
  let out = "";
  for (const node of nodes) {
    const rows =
      node.type === "element" && node.tagName === "table" ? plainContent(node, escapeText) : null;
    if (rows === null || node.type !== "element") {
      out += toHtml(node, options);
      continue;
    }
    const empty = toHtml({ ...node, children: [] }, options);
    const close = "</table>";
    out += empty.slice(0, empty.length - close.length) + rows + close;
  }
  return out;
}

/** The serialised children of a table part, or null when one is not a plain part or text. */
function plainContent(parent: Element, escapeText: (value: string) => string): string | null {
  let out = "";
  for (const child of parent.children) {
    if (child.type === "text") {
      out += escapeText(child.value);
      continue;
    }
    if (
      child.type !== "element" ||
      !TABLE_PARTS.has(child.tagName) ||
      Object.keys(child.properties).length > 0
    )
      return null;
    const inner = plainContent(child, escapeText);
    if (inner === null) return null;
    out += `<${child.tagName}>${inner}</${child.tagName}>`;
  }
  return out;
}
