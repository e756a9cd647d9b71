import type { Element, ElementContent, Root as HastRoot, Text } from "hast";
import type { PhrasingContent, Root, RootContent, Table, TableRow } from "mdast";
import { type Handler, toHast } from "mdast-util-to-hast";
import type { CellText, Underline, Warning } from "./customNodes.ts";
import { sanitizeHast } from "./sanitize.ts";

/** Stands in a root's children for a table converted ahead of `toHast` (see `fastTable`). */
interface Converted {
  type: "convertedTable";
  element: Element;
}

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
  convertedTable: (_state, node: Converted) => node.element,
};

/**
 * The postmortem tree as hast for the HTML and Confluence exports: converted by
 * mdast-util-to-hast (raw HTML never passes: the tree has none and
 * `allowDangerousHtml` stays off), then cut down to `EXPORT_SCHEMA` by
 * hast-util-sanitize. Format-specific wrapping (the page around it, Confluence's
 * macros) is added after this, by trusted code only.
 *
 * Tables of plain cells are converted here first: `toHast` walks every node of the
 * tree with unist-util-visit before converting (to collect definitions, which a
 * table of plain text cannot hold), and on a 10,000-row timeline that walk alone
 * took longer than the rest of the export. The result is the same hast.
 */
export function treeToSafeHast(tree: Root): HastRoot {
  const children = tree.children.map((node): RootContent => {
    const element = node.type === "table" ? fastTable(node) : null;
    return element ? ({ type: "convertedTable", element } as Converted as never) : node;
  });
  const hast = toHast({ ...tree, children }, { handlers }) as HastRoot;
  return sanitizeHast(hast);
}

const NEWLINE: Text = { type: "text", value: "\n" };

/** `items` with a line break between each and around them, as mdast-util-to-hast's `wrap(items, true)`. */
function wrapLoose(items: ElementContent[]): ElementContent[] {
  // One node for every break of the table: nothing changes a hast node once built
  // (the sanitizer copies or keeps, the serialisers only read).
  const out: ElementContent[] = [NEWLINE];
  for (const item of items) out.push(item, NEWLINE);
  return out;
}

/**
 * A table whose cells hold only `cellText`, as mdast-util-to-hast's table handlers
 * convert it (head row of `th`, body rows of `td`, `align` per column,
 * `data.hProperties` of the table); null for any other table, left to `toHast`.
 * The work per row is in small functions of their own, which V8 optimises after a
 * few rows, where one long loop waits for on-stack replacement.
 */
function fastTable(table: Table): Element | null {
  if (table.data && ("hName" in table.data || "hChildren" in table.data)) return null;
  if (!table.children.every(plainRow)) return null;
  const head = table.children[0];
  const rows = table.children.map((row) =>
    // The handler's test: a row is the head when it is the table's first child.
    hastRow(row, row === head ? "th" : "td", table.align),
  );
  const content: Element[] = [];
  if (rows.length) content.push(part("thead", wrapLoose(rows.slice(0, 1))));
  if (rows.length > 1) content.push(part("tbody", wrapLoose(rows.slice(1))));
  const hProperties = table.data?.hProperties;
  return {
    type: "element",
    tagName: "table",
    properties: hProperties ? structuredClone(hProperties) : {},
    children: wrapLoose(content),
  };
}

const part = (tagName: string, children: ElementContent[]): Element => ({
  type: "element",
  tagName,
  properties: {},
  children,
});

function plainRow(row: TableRow): boolean {
  if (row.data) return false;
  for (const cell of row.children) {
    if (cell.data) return false;
    for (const child of cell.children)
      if ((child as { type: string }).type !== "cellText") return false;
  }
  return true;
}

function hastRow(row: TableRow, tagName: "th" | "td", align: Table["align"]): Element {
  const cells: Element[] = [];
  const length = align ? align.length : row.children.length;
  for (let i = 0; i < length; i++) {
    const value = align?.[i];
    const cell = row.children[i];
    cells.push({
      type: "element",
      tagName,
      properties: value ? { align: value } : {},
      children: cell ? cell.children.map(cellTextNode) : [],
    });
  }
  return part("tr", wrapLoose(cells));
}

const cellTextNode = (node: PhrasingContent): Text => ({
  type: "text",
  value: (node as CellText).value,
});
