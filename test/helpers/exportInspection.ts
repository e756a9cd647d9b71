import { type Node as MarkdownNode, Parser } from "commonmark";
import { XMLParser } from "fast-xml-parser";
import { expect } from "vitest";

/** Readers for exported documents: what a Markdown renderer, a browser or Confluence would see. */

const LINK_ATTRIBUTES = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "background",
  "poster",
  "data",
  "cite",
  "xlink:href",
  "srcset",
  "ping",
]);
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** True when a link target is an absolute http, https or mailto URL as a browser would read it. */
export function isSafeDestination(value: string): boolean {
  try {
    return SAFE_SCHEMES.has(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Every node of a CommonMark parse, in document order. */
export function markdownNodes(markdown: string): MarkdownNode[] {
  const walker = new Parser().parse(markdown).walker();
  const nodes: MarkdownNode[] = [];
  for (
    let event = walker.next(), steps = 0;
    event && steps < 1_000_000;
    event = walker.next(), steps++
  )
    if (event.entering) nodes.push(event.node);
  return nodes;
}

export function textOf(node: MarkdownNode): string {
  let text = "";
  const walker = node.walker();
  for (let event = walker.next(); event; event = walker.next())
    if (event.entering && event.node.literal) text += event.node.literal;
  return text;
}

export interface Element {
  name: string;
  attributes: Record<string, string>;
}

// HTML as hast-util-to-html writes it (every attribute quoted, every element but the
// void ones closed) reads as XML once void elements are declared unpaired; style is
// taken as raw text.
const htmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  preserveOrder: true,
  unpairedTags: ["meta", "br", "hr", "img", "input", "link"],
  stopNodes: ["*.style"],
  processEntities: true,
  htmlEntities: true,
  allowBooleanAttributes: true,
});

/** Every element with its attributes (entities decoded), in document order. */
export function elements(markup: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: Record<string, unknown>[]) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((k) => k !== ":@");
      if (!name || name === "#text") continue;
      out.push({
        name: name.toLowerCase(),
        attributes: (node[":@"] as Record<string, string>) ?? {},
      });
      if (Array.isArray(node[name])) walk(node[name] as Record<string, unknown>[]);
    }
  };
  walk(htmlParser.parse(markup.replace(/^<!doctype html>/i, "")));
  return out;
}

export const confluenceXml = (storage: string) =>
  `<root xmlns="http://www.w3.org/1999/xhtml" xmlns:ac="http://atlassian.com/content">${storage}</root>`;

/** Asserts that no element carries a script-capable URL or an event handler. */
export function expectNoLiveHostileUrl(markup: string, format: string): void {
  const all = elements(markup);
  expect(all.length, format).toBeGreaterThan(10);
  for (const element of all) {
    expect(
      ["script", "iframe", "object", "embed", "base", "form", "img", "svg", "math"],
      format,
    ).not.toContain(element.name);
    for (const [name, value] of Object.entries(element.attributes)) {
      expect(name.toLowerCase().startsWith("on"), `${format}: ${element.name} ${name}`).toBe(false);
      if (LINK_ATTRIBUTES.has(name.toLowerCase()))
        expect(
          isSafeDestination(String(value)),
          `${format}: ${element.name} ${name}="${value}"`,
        ).toBe(true);
    }
  }
}
