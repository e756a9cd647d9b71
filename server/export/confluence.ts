import type { ElementContent, Root as HastRoot } from "hast";
import { h } from "hastscript";
import { hastNodesToHtml } from "./hastHtml.ts";

/**
 * The postmortem in Confluence storage format: XHTML that a page body accepts, with
 * the warning boxes of the sanitized hast turned into Confluence's warning macro
 * (the macro is added here, after sanitizing, so no document content can produce one).
 */
export function hastToConfluenceStorage(body: HastRoot): string {
  const children = body.children.map((node) =>
    node.type === "element" &&
    node.tagName === "div" &&
    String(node.properties.className) === "warning"
      ? h("ac:structured-macro", { "ac:name": "warning" }, [
          h("ac:rich-text-body", node.children as ElementContent[]),
        ])
      : node,
  );
  return `${hastNodesToHtml(children, { space: "html", closeSelfClosing: true, tightSelfClosing: false, allowDangerousCharacters: false, characterReferences: { useNamedReferences: false } })}\n`;
}
