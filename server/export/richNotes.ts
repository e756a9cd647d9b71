import type { Element, ElementContent } from "hast";
import { h } from "hastscript";
import type { BlockContent, DefinitionContent, ListItem, PhrasingContent, RootContent } from "mdast";
import type { RichNode } from "../../shared/doc/index.ts";

/** TipTap's rich text (as plain nodes) to mdast, for the Markdown export. */
export function notesToMdast(nodes: RichNode[]): RootContent[] {
  return nodes.flatMap(block);
}

function block(node: RichNode): (BlockContent | DefinitionContent)[] {
  if (node.kind === "text") return [{ type: "paragraph", children: phrasing([node]) }];
  const children = node.children;
  switch (node.type) {
    case "heading":
      return [{ type: "heading", depth: Math.min(6, Math.max(1, Number(node.attrs.level ?? 1))) as 1, children: phrasing(children) }];
    case "bulletList":
    case "orderedList":
      return [
        {
          type: "list",
          ordered: node.type === "orderedList",
          start: node.type === "orderedList" ? Number(node.attrs.start ?? 1) : undefined,
          spread: false,
          children: children.map((item: RichNode): ListItem => ({ type: "listItem", spread: false, children: item.kind === "element" ? item.children.flatMap(block) : [] })),
        },
      ];
    case "blockquote":
      return [{ type: "blockquote", children: children.flatMap(block) }];
    case "codeBlock":
      return [{ type: "code", lang: typeof node.attrs.language === "string" ? node.attrs.language : null, value: plain(children) }];
    case "horizontalRule":
      return [{ type: "thematicBreak" }];
    default:
      return [{ type: "paragraph", children: phrasing(children) }];
  }
}

function phrasing(nodes: RichNode[]): PhrasingContent[] {
  return nodes.flatMap((node): PhrasingContent[] => {
    if (node.kind === "element") return node.type === "hardBreak" ? [{ type: "break" }] : phrasing(node.children);
    let content: PhrasingContent = { type: "text", value: node.text };
    for (const mark of node.marks) {
      if (mark.type === "code") content = { type: "inlineCode", value: node.text };
      else if (mark.type === "bold") content = { type: "strong", children: [content] };
      else if (mark.type === "italic") content = { type: "emphasis", children: [content] };
      else if (mark.type === "strike") content = { type: "delete", children: [content] };
      else if (mark.type === "link" && typeof mark.attrs.href === "string") content = { type: "link", url: mark.attrs.href, children: [content] };
    }
    return [content];
  });
}

function plain(nodes: RichNode[]): string {
  return nodes.map((node) => (node.kind === "text" ? node.text : plain(node.children))).join("");
}

/** TipTap's rich text to hast, for the HTML and Confluence exports. */
export function notesToHast(nodes: RichNode[]): ElementContent[] {
  return nodes.flatMap(element);
}

function element(node: RichNode): ElementContent[] {
  if (node.kind === "text") {
    let content: ElementContent = { type: "text", value: node.text };
    for (const mark of node.marks) {
      if (mark.type === "code") content = h("code", [content]);
      else if (mark.type === "bold") content = h("strong", [content]);
      else if (mark.type === "italic") content = h("em", [content]);
      else if (mark.type === "strike") content = h("s", [content]);
      else if (mark.type === "underline") content = h("u", [content]);
      else if (mark.type === "link" && typeof mark.attrs.href === "string") content = h("a", { href: mark.attrs.href }, [content]);
    }
    return [content];
  }
  const children = node.children.flatMap(element);
  const tags: Record<string, string> = {
    paragraph: "p",
    bulletList: "ul",
    orderedList: "ol",
    listItem: "li",
    blockquote: "blockquote",
    hardBreak: "br",
    horizontalRule: "hr",
  };
  if (node.type === "heading") return [h(`h${Math.min(6, Math.max(1, Number(node.attrs.level ?? 1)))}`, children)];
  if (node.type === "codeBlock") return [h("pre", [h("code", [{ type: "text", value: plain(node.children) }])])];
  const tag = tags[node.type] ?? "div";
  const result: Element = h(tag, tag === "br" || tag === "hr" ? [] : children);
  return [result];
}
