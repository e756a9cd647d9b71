import { getSchema, Node as TipTapNode } from "@tiptap/core";
import type { Attrs, NodeType, Node as PmNode, Schema } from "@tiptap/pm/model";
import { prosemirrorToYXmlFragment } from "@tiptap/y-tiptap";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { richTextExtensions } from "#shared/doc/editorSchema.ts";
import { initIncident, richText } from "#shared/doc/index.ts";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";
import { markdownNodes, textOf } from "../helpers/exportInspection.ts";

/**
 * The editor's schema against the exporter: whatever a responder can write in the
 * notes must reach the postmortem. The node and mark lists come from the schema the
 * editor uses (shared/doc/editorSchema.ts), not from this file, so a node that a
 * TipTap upgrade or a new extension brings in shows up here as a failing test.
 */

/** What the exporter makes of one node or mark, with `SAMPLE` standing for its text. */
interface Rendering {
  attrs?: Attrs;
  html: string;
  markdown: string;
}

const SAMPLE = "SAMPLE";

/**
 * Every node of the editor schema (and below, every mark) with its expected export.
 * Adding one to the editor means adding its case to server/export/richNotes.ts and
 * its line here.
 */
const NODE_RENDERINGS: Record<string, Rendering> = {
  text: { html: `<p>before text ${SAMPLE} after text</p>`, markdown: `before text ${SAMPLE}` },
  paragraph: { html: `<p>${SAMPLE}</p>`, markdown: `\n${SAMPLE}\n` },
  heading: { attrs: { level: 3 }, html: `<h3>${SAMPLE}</h3>`, markdown: `\n### ${SAMPLE}\n` },
  blockquote: {
    html: `<blockquote>\n<p>${SAMPLE}</p>\n</blockquote>`,
    markdown: `\n> ${SAMPLE}\n`,
  },
  bulletList: { html: `<ul>\n<li>${SAMPLE}</li>\n</ul>`, markdown: `\n- ${SAMPLE}\n` },
  orderedList: {
    attrs: { start: 3 },
    html: `<ol start="3">\n<li>${SAMPLE}</li>\n</ol>`,
    markdown: `\n3. ${SAMPLE}\n`,
  },
  listItem: { html: `<li>${SAMPLE}</li>`, markdown: `\n- ${SAMPLE}\n` },
  codeBlock: {
    attrs: { language: "sql" },
    html: `<pre><code class="language-sql">${SAMPLE}\n</code></pre>`,
    markdown: `\n\`\`\`sql\n${SAMPLE}\n\`\`\`\n`,
  },
  horizontalRule: {
    html: "<p>before horizontalRule</p>\n<hr>\n<p>after horizontalRule</p>",
    markdown: "before horizontalRule\n\n---\n\nafter horizontalRule",
  },
  hardBreak: {
    html: "<p>before hardBreak <br>\nafter hardBreak</p>",
    markdown: "before hardBreak \\\n",
  },
};

const MARK_RENDERINGS: Record<string, Rendering> = {
  bold: { html: `<strong>${SAMPLE}</strong>`, markdown: `**${SAMPLE}**` },
  italic: { html: `<em>${SAMPLE}</em>`, markdown: `_${SAMPLE}_` },
  strike: { html: `<del>${SAMPLE}</del>`, markdown: `~~${SAMPLE}~~` },
  code: { html: `<code>${SAMPLE}</code>`, markdown: `\`${SAMPLE}\`` },
  // Markdown has no underline: the text stays, unmarked.
  underline: { html: `<u>${SAMPLE}</u>`, markdown: `before underline ${SAMPLE} after underline` },
  link: {
    attrs: { href: "https://example.com/runbook" },
    html: `<a href="https://example.com/runbook">${SAMPLE}</a>`,
    markdown: `[${SAMPLE}](https://example.com/runbook)`,
  },
};

const schema = getSchema(richTextExtensions());
/** The block a document starts with (a paragraph): what the samples' own text goes in. */
const paragraph = ((type) => {
  if (!type?.isTextblock) throw new Error("the schema's default block is no text block");
  return type;
})(schema.topNodeType.contentMatch.defaultType);

/** The schema's node names, less the document node every sample is built in. */
function contentNodeNames(s: Schema): string[] {
  return Object.keys(s.nodes).filter((name) => name !== s.topNodeType.name);
}

/** Names in the schema that have no expected export above. */
function withoutRendering(s: Schema): { nodes: string[]; marks: string[] } {
  return {
    nodes: contentNodeNames(s).filter((name) => !(name in NODE_RENDERINGS)),
    marks: Object.keys(s.marks).filter((name) => !(name in MARK_RENDERINGS)),
  };
}

/** A node of this type holding `text`, filled with the smallest content the schema allows. */
function sampleNode(type: NodeType, text: string, attrs?: Attrs): PmNode {
  if (type.isText) return type.schema.text(text);
  if (type.isLeaf) return type.create(attrs);
  if (type.inlineContent) return type.createChecked(attrs, type.schema.text(text));
  const child = type.contentMatch.defaultType;
  if (!child) throw new Error(`cannot build a ${type.name}: no default child in its content`);
  return type.createChecked(attrs, sampleNode(child, text));
}

/**
 * A document holding `node` between two paragraphs of their own text (an inline node:
 * between two runs of text in one paragraph), inside `container` if one is given.
 * A node that cannot sit in a document by itself (a list item) is wrapped in the
 * first node type of the schema that takes it (a bullet list).
 */
function documentWith(node: PmNode, label: string, container?: NodeType): PmNode {
  const t = (text: string) => schema.text(text);
  const content = node.isInline
    ? [paragraph.createChecked(null, [t(`before ${label} `), node, t(` after ${label}`)])]
    : [
        paragraph.createChecked(null, t(`before ${label}`)),
        asBlock(node),
        paragraph.createChecked(null, t(`after ${label}`)),
      ];
  if (!container) return schema.topNodeType.createChecked(null, content);
  const filled = container.createAndFill(null, content);
  if (!filled) throw new Error(`a ${container.name} cannot hold ${label}`);
  return schema.topNodeType.createChecked(null, asBlock(filled));
}

function asBlock(node: PmNode): PmNode {
  let block = node;
  while (!schema.topNodeType.contentMatch.matchType(block.type)) {
    const { type } = block;
    const wrapper = Object.values(schema.nodes).find(
      (candidate) => candidate.contentMatch.matchType(type)?.validEnd,
    );
    if (!wrapper) throw new Error(`no node of the schema can hold a ${type.name}`);
    block = wrapper.createChecked(null, block);
  }
  return block;
}

interface Exported {
  markdown: string;
  html: string;
  confluence: string;
}

/** The ProseMirror document written into a new incident's notes as y-tiptap writes it, then exported. */
function exportNotes(pmDoc: PmNode): Exported {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-7",
    summary: "Editor schema round trip",
    severity: 3,
    actor: { name: "Priya Natarajan", source: "editor" },
    now: new Date(Date.UTC(2026, 10, 20, 14, 0)),
  });
  prosemirrorToYXmlFragment(pmDoc, richText(doc, "notes"));
  const pm = buildPostmortem(doc);
  return {
    markdown: render(pm, "markdown"),
    html: render(pm, "html"),
    confluence: render(pm, "confluence"),
  };
}

/** Every run of text in a ProseMirror document. */
function textsOf(pmDoc: PmNode): string[] {
  const texts: string[] = [];
  pmDoc.descendants((node) => {
    if (node.isText && node.text) texts.push(node.text.trim());
  });
  return texts;
}

/** What a reader of each format sees as text: Markdown as CommonMark parses it, markup without its tags. */
function readableText(exported: Exported): Exported {
  const [document] = markdownNodes(exported.markdown);
  const untagged = (markup: string) =>
    markup
      .replace(/<[^>]*>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  return {
    markdown: textOf(document),
    html: untagged(exported.html),
    confluence: untagged(exported.confluence),
  };
}

function expectEveryTextExported(pmDoc: PmNode, exported: Exported, context: string): void {
  const readable = readableText(exported);
  for (const text of textsOf(pmDoc))
    for (const [format, seen] of Object.entries(readable))
      expect(
        seen.includes(text),
        `${context}: "${text}" is missing from the ${format} export`,
      ).toBe(true);
}

/** The nodes that hold blocks (blockquote, list item): every node is also tried inside each. */
const BLOCK_CONTAINERS = Object.values(schema.nodes).filter(
  (type) =>
    type !== schema.topNodeType && !type.isTextblock && type.contentMatch.matchType(paragraph),
);

describe("the editor schema against the postmortem export", () => {
  it("every node and mark the editor can write has an expected export", () => {
    const missing = withoutRendering(schema);
    expect(
      missing.nodes,
      `the editor schema has nodes the exporter test does not know: give each a case in server/export/richNotes.ts and a line in NODE_RENDERINGS`,
    ).toEqual([]);
    expect(
      missing.marks,
      `the editor schema has marks the exporter test does not know: give each a case in server/export/richNotes.ts and a line in MARK_RENDERINGS`,
    ).toEqual([]);
    expect(
      [...Object.keys(NODE_RENDERINGS), ...Object.keys(MARK_RENDERINGS)].filter(
        (name) => !schema.nodes[name] && !schema.marks[name],
      ),
      "expected exports for nodes or marks the editor no longer has",
    ).toEqual([]);
  });

  it("a node added to the editor schema without an expected export is reported", () => {
    const callout = TipTapNode.create({ name: "callout", group: "block", content: "inline*" });
    const extended = getSchema([...richTextExtensions(), callout]);
    expect(withoutRendering(extended)).toEqual({ nodes: ["callout"], marks: [] });
  });

  it.each(contentNodeNames(schema))(
    "the %s node keeps its text and its shape in every export",
    (name) => {
      const rendering = NODE_RENDERINGS[name];
      expect(rendering, `no expected export for the editor's ${name} node`).toBeDefined();
      const sample = `${name} sample`;
      const pmDoc = documentWith(sampleNode(schema.nodes[name], sample, rendering.attrs), name);
      const exported = exportNotes(pmDoc);
      expectEveryTextExported(pmDoc, exported, name);
      const { markdown, html } = exported;
      expect(html).toContain(rendering.html.replaceAll(SAMPLE, sample));
      expect(markdown).toContain(rendering.markdown.replaceAll(SAMPLE, sample));
    },
  );

  it.each(
    contentNodeNames(schema).flatMap((name) =>
      BLOCK_CONTAINERS.map((container) => [name, container.name] as const),
    ),
  )("the %s node keeps its text inside a %s", (name, containerName) => {
    const sample = `${name} sample`;
    const node = sampleNode(schema.nodes[name], sample, NODE_RENDERINGS[name]?.attrs);
    const pmDoc = documentWith(node, name, schema.nodes[containerName]);
    expectEveryTextExported(pmDoc, exportNotes(pmDoc), `${name} in a ${containerName}`);
  });

  it.each(Object.keys(schema.marks))(
    "the %s mark keeps its text and its shape in every export",
    (name) => {
      const rendering = MARK_RENDERINGS[name];
      expect(rendering, `no expected export for the editor's ${name} mark`).toBeDefined();
      const sample = `${name} sample`;
      const marked = schema.text(sample, [schema.marks[name].create(rendering.attrs)]);
      const pmDoc = documentWith(marked, name);
      const exported = exportNotes(pmDoc);
      expectEveryTextExported(pmDoc, exported, name);
      const { markdown, html } = exported;
      expect(html).toContain(rendering.html.replaceAll(SAMPLE, sample));
      expect(markdown).toContain(rendering.markdown.replaceAll(SAMPLE, sample));
    },
  );
});
