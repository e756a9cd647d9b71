import type { BlockContent, ListItem, PhrasingContent } from "mdast";
import { headingDepth, type RichNode } from "#shared/doc/index.ts";
import "./customNodes.ts";

/**
 * TipTap's rich text (the notes, read as plain nodes with TipTap's node and mark
 * names) to mdast, as part of the one postmortem tree every format is derived from.
 *
 * Nothing here trusts the document: any client that may edit can write any node
 * name and any attribute over the websocket. Unknown nodes keep their text; headings
 * get a depth of 1–6 or become paragraphs; URLs are left to `sanitizeTree`, which
 * checks every link of the finished tree in one place.
 */
export function notesToMdast(nodes: RichNode[]): BlockContent[] {
  return nodes.flatMap(block);
}

const LANGUAGE = /^[\w+#.-]{1,40}$/;

function block(node: RichNode): BlockContent[] {
  if (node.kind === "text") return [{ type: "paragraph", children: phrasing([node]) }];
  const { children, attrs } = node;
  switch (node.type) {
    case "heading": {
      const depth = headingDepth(attrs.level ?? 1);
      return depth === null
        ? [{ type: "paragraph", children: phrasing(children) }]
        : [{ type: "heading", depth, children: phrasing(children) }];
    }
    case "bulletList":
    case "orderedList": {
      const start = Number(attrs.start ?? 1);
      return [
        {
          type: "list",
          ordered: node.type === "orderedList",
          start:
            node.type === "orderedList"
              ? Number.isInteger(start) && start >= 0 && start < 1e9
                ? start
                : 1
              : undefined,
          spread: false,
          children: children.map(
            (item): ListItem => ({
              type: "listItem",
              spread: false,
              children:
                item.kind === "element" && item.type === "listItem"
                  ? item.children.flatMap(block)
                  : block(item),
            }),
          ),
        },
      ];
    }
    case "blockquote":
      return [{ type: "blockquote", children: children.flatMap(block) }];
    case "codeBlock":
      // The language goes into a fence's info string and a class name: only a plain word may.
      return [
        {
          type: "code",
          lang:
            typeof attrs.language === "string" && LANGUAGE.test(attrs.language)
              ? attrs.language
              : null,
          value: plain(children),
        },
      ];
    case "horizontalRule":
      return [{ type: "thematicBreak" }];
    default:
      return [{ type: "paragraph", children: phrasing([node]) }];
  }
}

function phrasing(nodes: RichNode[]): PhrasingContent[] {
  return nodes.flatMap((node): PhrasingContent[] => {
    if (node.kind === "element") {
      if (node.type === "hardBreak") return [{ type: "break" }];
      if (node.type === "image")
        return [
          {
            type: "image",
            url: String(node.attrs.src ?? ""),
            alt: typeof node.attrs.alt === "string" ? node.attrs.alt : null,
          },
        ];
      return phrasing(node.children);
    }
    const marks = new Map(node.marks.map((mark) => [markName(mark.type), mark.attrs]));
    // Code is the innermost: the other marks wrap it, as TipTap renders them.
    let content: PhrasingContent = marks.has("code")
      ? { type: "inlineCode", value: node.text }
      : { type: "text", value: node.text };
    if (marks.has("bold")) content = { type: "strong", children: [content] };
    if (marks.has("italic")) content = { type: "emphasis", children: [content] };
    if (marks.has("strike")) content = { type: "delete", children: [content] };
    if (marks.has("underline")) content = { type: "underline", children: [content] };
    const link = marks.get("link");
    if (link)
      content = {
        type: "link",
        url: typeof link.href === "string" ? link.href : "",
        children: [content],
      };
    return [content];
  });
}

/**
 * The mark a Yjs text attribute stands for. y-tiptap stores a mark that may overlap
 * itself under `<name>--<8-character hash>` and reads any such attribute back as that
 * mark (`yattr2markname` in @tiptap/y-tiptap), so the exporter must too: otherwise
 * a link written as `link--abcdefgh` would show in the editor but not in the export.
 */
function markName(attribute: string): string {
  return /^(.*)--[a-zA-Z0-9+/=]{8}$/.exec(attribute)?.[1] ?? attribute;
}

function plain(nodes: RichNode[]): string {
  return nodes
    .map((node) =>
      node.kind === "text" ? node.text : node.type === "hardBreak" ? "\n" : plain(node.children),
    )
    .join("");
}
