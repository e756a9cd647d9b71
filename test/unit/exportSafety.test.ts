import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { collection } from "#shared/doc/fields.ts";
import { appendTimelineEntry, initIncident, richText } from "#shared/doc/index.ts";
import { render } from "../../server/export/formats.ts";
import { escapeCell } from "../../server/export/markdown.ts";
import { buildPostmortem, type Postmortem } from "../../server/export/postmortem.ts";
import { safeUrl } from "../../server/export/sanitize.ts";
import {
  confluenceXml,
  elements,
  expectNoLiveHostileUrl,
  isSafeDestination,
  markdownNodes,
  textOf,
} from "../helpers/exportInspection.ts";
import { HOSTILE_URLS, SAFE_URL, writeHostileNotes } from "../helpers/hostileDoc.ts";
import { realisticIncident } from "../helpers/realisticIncident.ts";

describe("exports never carry a hostile link", () => {
  const doc = realisticIncident();
  writeHostileNotes(doc);
  // A link record written straight into the document, past the API's validation.
  doc.transact(() => {
    const record = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({
      id: "evil",
      kind: "dashboard",
      label: "evil",
      url: HOSTILE_URLS[0],
    }))
      record.set(k, v);
    collection(doc, "links").set("evil", record as never);
  });
  const pm = buildPostmortem(doc);

  it("HTML has no attribute with a script-capable URL, and keeps the safe link and the linked words", () => {
    const html = render(pm, "html");
    expectNoLiveHostileUrl(html, "html");
    const hrefs = elements(html).flatMap((e) => (e.name === "a" ? [e.attributes.href] : []));
    expect(hrefs).toContain(SAFE_URL);
    expect(html).toContain("click me 3");
    expect(html).toContain("hashed link");
  });

  it("Confluence has no attribute with a script-capable URL and stays well-formed XML", () => {
    const storage = render(pm, "confluence");
    expect(XMLValidator.validate(confluenceXml(storage))).toBe(true);
    expectNoLiveHostileUrl(confluenceXml(storage), "confluence");
    expect(
      elements(confluenceXml(storage)).some(
        (e) => e.name === "a" && e.attributes.href === SAFE_URL,
      ),
    ).toBe(true);
  });

  it("Markdown has no link or image whose destination CommonMark reads as a hostile URL, and no raw HTML", () => {
    const markdown = render(pm, "markdown");
    const nodes = markdownNodes(markdown);
    const destinations = nodes
      .filter((n) => n.type === "link" || n.type === "image")
      .map((n) => n.destination ?? "");
    expect(destinations).toContain(SAFE_URL);
    for (const destination of destinations)
      expect(isSafeDestination(destination), destination).toBe(true);
    expect(
      nodes
        .filter((n) => n.type === "html_inline" || n.type === "html_block")
        .map((n) => n.literal),
    ).toEqual([]);
    expect(markdown).toContain("click me 3");
  });

  it("a link's URL is kept only when it is an absolute http, https or mailto URL", () => {
    for (const url of HOSTILE_URLS) expect(safeUrl(url), JSON.stringify(url)).toBeNull();
    expect(safeUrl("/relative/path")).toBeNull();
    expect(safeUrl("#fragment")).toBeNull();
    expect(safeUrl("HTTPS://Example.com/a b")).toBe("https://example.com/a%20b");
    expect(safeUrl("mailto:oncall@example.com")).toBe("mailto:oncall@example.com");
    expect(safeUrl(42)).toBeNull();
  });
});

/** A fresh incident with `texts` as timeline entries. */
function incidentWithEntries(texts: string[]): Y.Doc {
  const doc = new Y.Doc();
  const actor = { name: "Ana", source: "editor" as const };
  initIncident(doc, {
    key: "HOT-7",
    summary: "Structure",
    severity: 2,
    actor,
    now: new Date("2026-11-20T14:00:00Z"),
  });
  for (const [i, text] of texts.entries())
    appendTimelineEntry(doc, {
      author: "Ana",
      source: "editor",
      kind: "note",
      text,
      at: new Date(Date.UTC(2026, 10, 20, 14, 1, i)).toISOString(),
    });
  return doc;
}

/** The Markdown table that starts with `header`, split into rows the way CommonMark splits lines. */
function tableRows(markdown: string, header: string): string[] {
  const lines = markdown.split(/\r\n|\r|\n/);
  const start = lines.findIndex((line) => line.startsWith(header));
  const rows: string[] = [];
  for (let i = start; i >= 0 && i < lines.length && lines[i].startsWith("|"); i++)
    rows.push(lines[i]);
  return rows;
}

/** `|` characters that separate cells: not preceded by an odd number of backslashes. */
const separators = (row: string) => row.match(/(?<!\\)(?:\\\\)*\|/g)?.length ?? 0;

describe("export structure", () => {
  it("a lone CR, CRLF, LS or PS in a timeline entry never ends a Markdown table row or starts a heading", () => {
    const breakers = ["\r", "\r\n", "\u2028", "\u2029", "\n", "\r\r\n\n"];
    const texts = Array.from(
      { length: 22 },
      (_, i) =>
        `entry ${i}${breakers[i % breakers.length]}# injected heading ${i}${breakers[(i + 1) % breakers.length]}| x | y |`,
    );
    const pm = buildPostmortem(incidentWithEntries(texts));
    const markdown = render(pm, "markdown");
    const rows = tableRows(markdown, "| Time (UTC) |");
    expect(rows).toHaveLength(2 + pm.timeline.length);
    expect(pm.timeline.length).toBe(23);
    for (const row of rows) expect(separators(row), row).toBe(6);
    const headings = markdownNodes(markdown)
      .filter((n) => n.type === "heading")
      .map(textOf);
    expect(headings.filter((h) => h.includes("injected"))).toEqual([]);
  });

  it("table cells keep |, backticks, <, &, *, brackets and line breaks as text", () => {
    const values = [
      "a | b",
      "`code`",
      "<b>bold</b>",
      "&amp; &#58;",
      "*stars* _under_",
      "[x](https://e.com)",
      "line\r\nbreak\rhere\u2028too",
      "\\|",
      "~~gone~~",
      "![i](x)",
      "<https://e.com>",
    ];
    for (const value of values) {
      // Escapes split the text into several text nodes; anything else would be markup.
      const nodes = markdownNodes(escapeCell(value));
      expect(
        nodes.slice(0, 2).map((n) => n.type),
        value,
      ).toEqual(["document", "paragraph"]);
      expect(
        nodes
          .slice(2)
          .filter((n) => n.type !== "text")
          .map((n) => n.type),
        value,
      ).toEqual([]);
      expect(
        nodes
          .slice(2)
          .map((n) => n.literal)
          .join(""),
        value,
      ).toBe(value.replace(/[\r\n\u2028\u2029]+/g, " "));
    }
  });

  it("a heading level that is not a number 1–6 never becomes an <hNaN> or <h9> in HTML or Confluence", () => {
    const doc = realisticIncident();
    const notes = richText(doc, "notes");
    // Not -3 or 1e9: readIncident's plain-text notes ("#".repeat(level), shared/doc/richText.ts)
    // throws on a negative level before the exporter is reached (reported, not the exporter's file).
    const levels: unknown[] = ["abc", 9, 0, 2.6, "4", { level: 1 }, Number.NaN, null];
    doc.transact(() => {
      notes.insert(
        notes.length,
        levels.map((level, i) => {
          const heading = new Y.XmlElement("heading");
          heading.setAttribute("level", level as string);
          heading.insert(0, [new Y.XmlText(`heading ${i}`)]);
          return heading;
        }),
      );
    });
    const pm = buildPostmortem(doc);
    for (const format of ["html", "confluence"] as const) {
      const markup = render(pm, format);
      const tags = [...markup.matchAll(/<(h[^\s>]*)[\s>]/gi)]
        .map((m) => m[1].toLowerCase())
        .filter((t) => t !== "head" && t !== "html");
      expect(
        tags.every((t) => /^h[1-6]$/.test(t)),
        `${format}: ${[...new Set(tags)].join(", ")}`,
      ).toBe(true);
      expect(markup).toContain("<h6>heading 1</h6>");
      expect(markup).toContain("<h1>heading 2</h1>");
      expect(markup).toContain("<h3>heading 3</h3>");
      expect(markup).toContain("<h4>heading 4</h4>");
      expect(markup).toContain("<p>heading 0</p>");
    }
    expect(render(pm, "markdown")).toContain("###### heading 1");
  });

  it("a code block holding a ``` fence, a hostile language and nested lists keep their shape in every format", () => {
    const doc = realisticIncident();
    const notes = richText(doc, "notes");
    const code = "```\n# not a heading\n```\n~~~";
    doc.transact(() => {
      const block = new Y.XmlElement("codeBlock");
      block.setAttribute("language", "js\n# injected language");
      block.insert(0, [new Y.XmlText(code)]);
      const item = (text: string, nested?: Y.XmlElement) => {
        const li = new Y.XmlElement("listItem");
        const p = new Y.XmlElement("paragraph");
        p.insert(0, [new Y.XmlText(text)]);
        li.insert(0, nested ? [p, nested] : [p]);
        return li;
      };
      const inner = new Y.XmlElement("orderedList");
      inner.setAttribute("start", "not a number");
      inner.insert(0, [item("inner one"), item("inner two")]);
      const outer = new Y.XmlElement("bulletList");
      outer.insert(0, [item("outer", inner)]);
      notes.insert(notes.length, [block, outer]);
    });
    const pm = buildPostmortem(doc);

    const nodes = markdownNodes(render(pm, "markdown"));
    const blocks = nodes.filter((n) => n.type === "code_block");
    expect(blocks.map((n) => n.literal)).toContain(`${code}\n`);
    expect(blocks.every((n) => !n.info?.includes("\n") && !n.info?.includes("#"))).toBe(true);
    expect(
      nodes
        .filter((n) => n.type === "heading")
        .map(textOf)
        .filter((h) => h.includes("not a heading") || h.includes("injected")),
    ).toEqual([]);
    const nestedList = nodes.find((n) => n.type === "list" && n.parent?.type === "item");
    expect(nestedList?.listType).toBe("ordered");
    expect(nestedList?.listStart).toBe(1);

    for (const format of ["html", "confluence"] as const) {
      const markup = render(pm, format);
      expect(markup).toMatch(
        /<ul>\s*<li>\s*<p>outer<\/p>\s*<ol>\s*<li>\s*<p>inner one<\/p>|<ul>\s*<li>outer\s*<ol>\s*<li>inner one/,
      );
      expect(markup).toContain("<pre><code>```\n# not a heading\n```\n~~~\n</code></pre>");
      expect(markup).not.toMatch(/NaN|language-js/);
    }
  });

  it("control characters are dropped, so Confluence storage stays well-formed XML", () => {
    const pm = buildPostmortem(
      incidentWithEntries([
        "bell \u0007 null \u0000 escape \u001b end",
        "del \u007f c1 \u0085 fffe \ufffe",
      ]),
    );
    const storage = render(pm, "confluence");
    expect(XMLValidator.validate(confluenceXml(storage))).toBe(true);
    expect(storage).toContain("bell  null  escape  end");
  });

  it("structure breakers in every text field leave the headings, tables and markup of every format unchanged", () => {
    const clean = buildPostmortem(realisticIncident());
    const structure = (p: Postmortem) => ({
      headings: markdownNodes(render(p, "markdown"))
        .filter((n) => n.type === "heading")
        .map((n) => n.level),
      timelineRows: tableRows(render(p, "markdown"), "| Time (UTC) |").length,
      changeRows: tableRows(render(p, "markdown"), "| When (UTC) |").length,
      html: elements(render(p, "html"))
        .map((e) => e.name)
        .join(" "),
      confluence: elements(confluenceXml(render(p, "confluence")))
        .map((e) => e.name)
        .join(" "),
    });
    const expected = structure(clean);
    const breakers = [
      "\r# INJECTED",
      "\r\n===",
      "\n\n# INJECTED",
      "\u2028- INJECTED",
      " | INJECTED | ",
      "`INJECTED",
      "<script>alert(1)</script>",
      "&amp;&#58;",
      "*INJECTED*",
      "[INJECTED](javascript:alert(1))",
      "<javascript:alert(1)>",
      "\n```\nINJECTED",
      "\n---\n",
      "\n1. INJECTED",
      "\n> INJECTED",
      "\n    INJECTED",
      "\\",
      "]]>",
      "\u0000\u0001",
    ];
    const structural = new Set([
      "at",
      "since",
      "sentAt",
      "startOfImpact",
      "detection",
      "endOfImpact",
      "asOf",
      "kind",
      "type",
      "version",
    ]);
    const inject = (value: unknown, breaker: string, key = ""): unknown => {
      if (typeof value === "string") return structural.has(key) ? value : `${value}${breaker}`;
      if (Array.isArray(value)) return value.map((v) => inject(v, breaker, key));
      if (value && typeof value === "object")
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, k === "attrs" ? v : inject(v, breaker, k)]),
        );
      return value;
    };
    for (const breaker of breakers) {
      const hostile = inject(clean, breaker) as Postmortem;
      expect(structure(hostile), JSON.stringify(breaker)).toEqual(expected);
      const markdown = markdownNodes(render(hostile, "markdown"));
      expect(
        markdown.filter((n) => n.type === "html_inline" || n.type === "html_block").length,
        JSON.stringify(breaker),
      ).toBe(0);
      for (const link of markdown.filter((n) => n.type === "link"))
        expect(
          isSafeDestination(link.destination ?? ""),
          `${JSON.stringify(breaker)} ${link.destination}`,
        ).toBe(true);
      expect(
        XMLValidator.validate(confluenceXml(render(hostile, "confluence"))),
        JSON.stringify(breaker),
      ).toBe(true);
    }
  });
});
