import type { Element, ElementContent, Root as HastRoot } from "hast";
import { sanitize } from "hast-util-sanitize";
import { toHtml } from "hast-util-to-html";
import type { Root } from "mdast";
import { type Handler, toHast } from "mdast-util-to-hast";
import { describe, expect, it } from "vitest";
import { treeToSafeHast } from "../../server/export/hast.ts";
import { hastNodesToHtml } from "../../server/export/hastHtml.ts";
import { EXPORT_SCHEMA, sanitizeHast } from "../../server/export/sanitize.ts";

// On big plain tables the export goes around three library passes (hast.ts,
// sanitize.ts, hastHtml.ts). Each shortcut must give exactly what the library gives,
// and must leave anything that is not a plain table to the library.

const HOSTILE = `<script>alert(1)</script> & &amp; "q" 'a' | \u00e9 \u{1F600} </table></body>`;
// The options confluence.ts serialises with.
const CONFLUENCE = {
  space: "html",
  closeSelfClosing: true,
  tightSelfClosing: false,
  allowDangerousCharacters: false,
  characterReferences: { useNamedReferences: false },
} as const;

type Align = ("left" | "right" | null)[] | null;
const mdTable = (rows: string[][], align: Align = null): Root => ({
  type: "root",
  children: [
    { type: "heading", depth: 2, children: [{ type: "text", value: "T" }] },
    {
      type: "table",
      align,
      children: rows.map((cells) => ({
        type: "tableRow",
        children: cells.map((value) => ({
          type: "tableCell",
          children: [{ type: "cellText", value }],
        })),
      })),
      data: { hProperties: { className: ["timeline", "evil"], onClick: "x()" } },
    },
  ],
});
const cellText: Handler = (_state, node) => ({ type: "text", value: node.value });
/** The library's way: mdast-util-to-hast, then the sanitizer over the whole tree. */
const libraryHast = (tree: Root) =>
  sanitize(toHast(tree, { handlers: { cellText } }), EXPORT_SCHEMA) as HastRoot;

const el = (tagName: string, properties: Element["properties"], children: ElementContent[]) =>
  ({ type: "element", tagName, properties, children }) as Element;
const txt = (value: string) => ({ type: "text", value }) as const;

describe("export shortcuts for big tables", () => {
  it("builds the hast mdast-util-to-hast and the sanitizer build", () => {
    const tables = [
      mdTable([["a", "b"], [HOSTILE, ""], ["c"]]),
      mdTable(
        [
          ["a", "b"],
          ["c", "d", "extra"],
        ],
        ["left", null],
      ),
      mdTable([["only a head"]]),
    ];
    for (const tree of tables)
      expect(JSON.stringify(treeToSafeHast(structuredClone(tree)))).toBe(
        JSON.stringify(libraryHast(structuredClone(tree))),
      );
    const html = toHtml(treeToSafeHast(mdTable([["h"], [HOSTILE]])));
    expect(html).toContain('<table class="timeline">');
    expect(html).toContain("&#x3C;script>");
    expect(html).not.toContain("onclick");
  });

  it("sanitizes exactly as the sanitizer over the whole tree, plain tables or not", () => {
    const table = (...cells: Element[]) =>
      el("table", { className: ["timeline", "x"], onClick: "x()" }, [
        txt("\n"),
        el("tbody", {}, [el("tr", {}, cells)]),
      ]);
    const script = el("script", {}, [txt("alert(1)")]);
    const link = el("a", { href: "javascript:alert(1)" }, [txt("x")]);
    const trees: HastRoot[] = [
      { type: "root", children: [table(el("td", {}, [txt(HOSTILE)]))] },
      { type: "root", children: [table(el("td", { onClick: "x()" }, [txt("a")]))] },
      { type: "root", children: [table(el("td", {}, [script, link]))] },
      { type: "root", children: [table(el("td", {}, [el("table", {}, [])]))] },
      {
        type: "root",
        children: [{ type: "raw", value: "<b>" } as never, txt("\n"), table(el("td", {}, []))],
      },
      { type: "root", children: [el("tr", {}, [el("td", {}, [txt("no table around")])])] },
      { type: "root", children: [el("div", {}, [table(el("td", {}, [txt("nested")]))])] },
    ];
    for (const tree of trees)
      expect(JSON.stringify(sanitizeHast(structuredClone(tree)))).toBe(
        JSON.stringify(sanitize(structuredClone(tree), EXPORT_SCHEMA)),
      );
    const kept = toHtml(sanitizeHast(trees[2]));
    expect(kept).not.toContain("<script");
    expect(kept).not.toContain("javascript:");
  });

  it("serialises exactly as hast-util-to-html, for HTML and for Confluence", () => {
    const tree = treeToSafeHast(
      mdTable([
        ["When", "What"],
        ["1", HOSTILE],
        ["2", "&"],
      ]),
    );
    tree.children.push(txt("\n"), el("p", {}, [txt(HOSTILE)]));
    for (const options of [undefined, CONFLUENCE])
      expect(hastNodesToHtml(tree.children, options)).toBe(toHtml(tree, options));
    // Cells with attributes are left to the library.
    const aligned = treeToSafeHast(mdTable([["a"], ["b"]], ["right"]));
    expect(hastNodesToHtml(aligned.children)).toBe(toHtml(aligned));
    expect(toHtml(aligned)).toContain('<td align="right">b</td>');
  });
});
