import { h } from "hastscript";
import { toHtml } from "hast-util-to-html";
import type { Postmortem } from "./postmortem.ts";
import { postmortemSections } from "./hastSections.ts";

/**
 * The postmortem in Confluence storage format: XHTML that a page body accepts, with
 * the still-applied-changes warnings in Confluence's warning macro.
 */
export function toConfluenceStorage(pm: Postmortem): string {
  const body = postmortemSections(pm, (content) =>
    h("ac:structured-macro", { "ac:name": "warning" }, [h("ac:rich-text-body", content)]),
  );
  return `${toHtml(h(null, body), { space: "html", closeSelfClosing: true, tightSelfClosing: false, allowDangerousCharacters: false, characterReferences: { useNamedReferences: false } })}\n`;
}
