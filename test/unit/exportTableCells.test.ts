import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { appendTimelineEntry, initIncident, recordChange } from "#shared/doc/index.ts";
import { render } from "../../server/export/formats.ts";
import { buildPostmortem } from "../../server/export/postmortem.ts";
import { confluenceXml, markdownNodes } from "../helpers/exportInspection.ts";

/**
 * Table cells of every export, read back the way a renderer reads them. Each value
 * holds one of the characters that would end a row, split a cell or start markup
 * if a cell were written unescaped. None of the realistic fixtures holds any of
 * them, so without this test a cell escaper that forgot one would go unnoticed.
 */
const HOSTILE = [
  "a | b",
  "trailing pipe |",
  "`code | span` and a lone ` tick",
  "<b>bold</b> <https://example.com> <!-- comment -->",
  "&amp; &#124; &copy; & alone",
  "*stars* **strong** _under_ __twice__",
  "line\nbreak",
  "carriage\rreturn",
  "crlf\r\nhere and\r\r\n\nthere",
  "line\u2028separator\u2029paragraph",
  "back\\slash \\| \\\\| end\\",
  "[link](https://example.com) ![image](x.png) ~~struck~~ > not a quote",
];

const lineBreaks = /[\r\n\u2028\u2029]+/g;
/** What a Markdown reader must get back from a cell: a row is one line, so breaks become spaces. */
const asMarkdownCell = (value: string) => value.replace(lineBreaks, " ");
/** XML and HTML readers fold CR and CRLF into LF; the text is otherwise the same. */
const asMarkupCell = (value: string) => value.replace(/\r\n?/g, "\n");

function hostileIncident(): Y.Doc {
  const doc = new Y.Doc();
  initIncident(doc, {
    key: "HOT-9",
    summary: "Cells",
    severity: 2,
    actor: { name: "Ana", source: "editor" },
    now: new Date("2026-11-20T14:00:00Z"),
  });
  HOSTILE.forEach((value, i) => {
    appendTimelineEntry(doc, {
      author: `Ana ${value}`,
      source: "editor",
      kind: "note",
      text: value,
      at: new Date(Date.UTC(2026, 10, 20, 14, 1, i)).toISOString(),
    });
    const other = HOSTILE[(i + 1) % HOSTILE.length];
    recordChange(doc, {
      author: `Bo ${other}`,
      what: `what ${value}`,
      how: `how ${other}`,
      why: `why ${value}`,
      revertSteps: `revert ${other}`,
      at: new Date(Date.UTC(2026, 10, 20, 14, 2, i)).toISOString(),
    });
  });
  return doc;
}

/** Splits a GFM table row into its cells: `|` separates unless backslash-escaped (even inside a code span). */
function gfmCells(row: string): string[] {
  const cells: string[] = [];
  let current = "";
  let i = row.startsWith("|") ? 1 : 0;
  for (; i < row.length; i++) {
    const char = row[i];
    if (char === "\\" && i + 1 < row.length) {
      current += char + row[i + 1];
      i++;
    } else if (char === "|") {
      cells.push(current);
      current = "";
    } else current += char;
  }
  if (current.trim() !== "") cells.push(current);
  return cells.map((cell) => cell.trim());
}

/** The GFM table whose header row starts with `header`: every line up to the first that is not a row. */
function markdownTable(markdown: string, header: string): string[][] {
  // CommonMark ends a line at LF, CR or CRLF; a row broken by any of them shows here.
  const lines = markdown.split(/\r\n|\r|\n/);
  const start = lines.findIndex((line) => line.startsWith(header));
  expect(start, header).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i].startsWith("|"); i++)
    rows.push(gfmCells(lines[i]));
  return rows;
}

/** A GFM cell's content is inline Markdown: it must read as plain text and nothing else. */
function expectPlainCell(cell: string, expected: string, where: string): void {
  // commonmark.js knows no GFM strikethrough, which one or two unescaped `~` delimit.
  expect(cell, `${where}: strikethrough`).not.toMatch(/(?<!\\)(?:\\\\)*~/);
  const nodes = markdownNodes(cell);
  expect(
    nodes.map((n) => n.type),
    `${where}: ${JSON.stringify(cell)}`,
  ).toEqual(["document", "paragraph", ...nodes.slice(2).map(() => "text")]);
  expect(
    nodes
      .slice(2)
      .map((n) => n.literal)
      .join(""),
    where,
  ).toBe(expected);
}

type OrderedNode = Record<string, unknown>;
const markupParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  preserveOrder: true,
  unpairedTags: ["meta", "br", "hr", "img", "input", "link"],
  stopNodes: ["*.style"],
  processEntities: true,
  htmlEntities: true,
  trimValues: false,
});
const tagOf = (node: OrderedNode) => Object.keys(node).find((k) => k !== ":@") ?? "";
const childrenOf = (node: OrderedNode) => (node[tagOf(node)] as OrderedNode[]) ?? [];

function findAll(nodes: OrderedNode[], match: (node: OrderedNode) => boolean): OrderedNode[] {
  return nodes.flatMap((node) => [
    ...(match(node) ? [node] : []),
    ...(Array.isArray(node[tagOf(node)]) ? findAll(childrenOf(node), match) : []),
  ]);
}

/** The cells of the table with `className`, row by row; a cell holding any element fails. */
function markupTable(markup: string, className: string, format: string): string[][] {
  const tree = markupParser.parse(markup.replace(/^<!doctype html>/i, "")) as OrderedNode[];
  const [table] = findAll(
    tree,
    (n) => tagOf(n) === "table" && (n[":@"] as Record<string, string>)?.class === className,
  );
  expect(table, `${format}: table.${className}`).toBeDefined();
  return findAll(childrenOf(table), (n) => tagOf(n) === "tr").map((tr) =>
    childrenOf(tr)
      .filter((n) => tagOf(n) === "td" || tagOf(n) === "th")
      .map((cell) => {
        const inside = childrenOf(cell);
        expect(
          inside.map(tagOf).filter((t) => t !== "#text"),
          `${format}: markup inside a cell`,
        ).toEqual([]);
        return inside.map((n) => String(n["#text"])).join("");
      }),
  );
}

describe("export table cells", () => {
  const pm = buildPostmortem(hostileIncident());
  const timelineRows = pm.timeline.map((e) => ({ who: e.author, what: e.text }));
  const changeRows = pm.changes.map((c) => [
    c.author,
    c.what,
    c.how,
    c.why,
    c.revertSteps || "none recorded",
  ]);

  it("the document really holds every hostile value, in the timeline and in the change log", () => {
    for (const value of HOSTILE) {
      expect(pm.timeline.map((e) => e.text)).toContain(value);
      expect(pm.changes.map((c) => c.what)).toContain(`what ${value}`);
    }
    expect(pm.timeline.length).toBe(1 + 2 * HOSTILE.length);
  });

  it("Markdown: every row keeps its cells and every cell reads back as the plain text it holds", () => {
    const markdown = render(pm, "markdown");

    const timeline = markdownTable(markdown, "| Time (UTC) |");
    expect(timeline).toHaveLength(2 + pm.timeline.length);
    for (const row of timeline) expect(row, row.join(" ‖ ")).toHaveLength(5);
    timeline.slice(2).forEach((row, i) => {
      expectPlainCell(row[1], asMarkdownCell(timelineRows[i].who), `timeline row ${i} Who`);
      expectPlainCell(row[4], asMarkdownCell(timelineRows[i].what), `timeline row ${i} What`);
    });

    const changes = markdownTable(markdown, "| When (UTC) |");
    expect(changes).toHaveLength(2 + pm.changes.length);
    for (const row of changes) expect(row, row.join(" ‖ ")).toHaveLength(7);
    changes.slice(2).forEach((row, i) => {
      changeRows[i].forEach((value, column) => {
        expectPlainCell(row[1 + column], asMarkdownCell(value), `change row ${i} column ${column}`);
      });
    });
  });

  for (const format of ["html", "confluence"] as const)
    it(`${format}: every row keeps its cells and every cell holds its text, with no markup taking effect`, () => {
      const rendered = render(pm, format);
      const markup = format === "confluence" ? confluenceXml(rendered) : rendered;

      const timeline = markupTable(markup, "timeline", format);
      expect(timeline).toHaveLength(1 + pm.timeline.length);
      for (const row of timeline) expect(row).toHaveLength(5);
      timeline.slice(1).forEach((row, i) => {
        expect(row[1], `${format} timeline row ${i} Who`).toBe(asMarkupCell(timelineRows[i].who));
        expect(row[4], `${format} timeline row ${i} What`).toBe(asMarkupCell(timelineRows[i].what));
      });

      const changes = markupTable(markup, "changes", format);
      expect(changes).toHaveLength(1 + pm.changes.length);
      for (const row of changes) expect(row).toHaveLength(7);
      changes.slice(1).forEach((row, i) => {
        expect(row.slice(1, 6), `${format} change row ${i}`).toEqual(
          changeRows[i].map(asMarkupCell),
        );
      });
    });
});
