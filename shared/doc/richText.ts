import * as Y from "yjs";
import { type RichTextName, richText } from "./fields.ts";

/**
 * Plain-text access to the TipTap rich-text fields, for writers and readers that
 * are not editors (REST, chat, export). Paragraphs map to lines.
 */

export function setRichTextPlain(doc: Y.Doc, name: RichTextName, text: string): void {
  const fragment = richText(doc, name);
  doc.transact(() => {
    fragment.delete(0, fragment.length);
    const paragraphs = text.split(/\r?\n/);
    fragment.insert(
      0,
      paragraphs.map((line) => {
        const paragraph = new Y.XmlElement("paragraph");
        if (line.length > 0) paragraph.insert(0, [new Y.XmlText(line)]);
        return paragraph;
      }),
    );
  });
}

export function readRichTextPlain(doc: Y.Doc, name: RichTextName): string {
  const lines: string[] = [];
  for (const node of richText(doc, name).toArray()) lines.push(...nodeLines(node));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

/**
 * A heading level as stored by the editor, made safe: 1–6, or null when it is no number.
 * Any CRDT client can write any attribute; `"#".repeat(-3)` throws and `repeat(1e9)`
 * allocates a gigabyte, so nothing reads a level without this.
 */
export function headingDepth(level: unknown): 1 | 2 | 3 | 4 | 5 | 6 | null {
  const n =
    typeof level === "number"
      ? level
      : typeof level === "string" && level.trim() !== ""
        ? Number(level)
        : Number.NaN;
  if (!Number.isFinite(n)) return null;
  return Math.min(6, Math.max(1, Math.round(n))) as 1 | 2 | 3 | 4 | 5 | 6;
}

function nodeLines(node: Y.XmlElement | Y.XmlText | Y.XmlHook): string[] {
  if (node instanceof Y.XmlText)
    return [
      node
        .toDelta()
        .map((op: { insert: unknown }) => (typeof op.insert === "string" ? op.insert : ""))
        .join(""),
    ];
  if (!(node instanceof Y.XmlElement)) return [];
  const children = node.toArray();
  const blockChildren = children.some(
    (child) => child instanceof Y.XmlElement && child.nodeName !== "hardBreak",
  );
  if (!blockChildren) {
    let line = "";
    for (const child of children) {
      if (child instanceof Y.XmlText) line += nodeLines(child)[0];
      else if (child instanceof Y.XmlElement && child.nodeName === "hardBreak") line += "\n";
    }
    const prefix =
      node.nodeName === "heading"
        ? `${"#".repeat(headingDepth(node.getAttribute("level") ?? 1) ?? 6)} `
        : "";
    return [prefix + line];
  }
  const lines: string[] = [];
  for (const child of children) {
    const childLines = nodeLines(child);
    if (node.nodeName === "bulletList" || node.nodeName === "orderedList")
      lines.push(...childLines.map((l) => `- ${l}`));
    else lines.push(...childLines);
  }
  return lines;
}

/** A rich-text node as plain data: an element with children, or a run of text with its marks. */
export type RichNode =
  | { kind: "element"; type: string; attrs: Record<string, unknown>; children: RichNode[] }
  | { kind: "text"; text: string; marks: { type: string; attrs: Record<string, unknown> }[] };

/** The rich-text field as a tree (TipTap node and mark names), for renderers that are not editors. */
export function readRichTextTree(doc: Y.Doc, name: RichTextName): RichNode[] {
  return richText(doc, name).toArray().flatMap(toRichNodes);
}

function toRichNodes(node: Y.XmlElement | Y.XmlText | Y.XmlHook): RichNode[] {
  if (node instanceof Y.XmlText) {
    return (
      node.toDelta() as {
        insert: unknown;
        attributes?: Record<string, Record<string, unknown> | boolean>;
      }[]
    )
      .filter((op) => typeof op.insert === "string")
      .map((op) => ({
        kind: "text" as const,
        text: op.insert as string,
        marks: Object.entries(op.attributes ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, attrs]) => ({
            type,
            attrs: typeof attrs === "object" && attrs !== null ? attrs : {},
          })),
      }));
  }
  if (!(node instanceof Y.XmlElement)) return [];
  const attrs = node.getAttributes() as Record<string, unknown>;
  const sorted = Object.fromEntries(Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b)));
  return [
    {
      kind: "element",
      type: node.nodeName,
      attrs: sorted,
      children: node.toArray().flatMap(toRichNodes),
    },
  ];
}
