import type { Root as HastRoot } from "hast";
import { toHtml } from "hast-util-to-html";
import { h } from "hastscript";
import { hastNodesToHtml } from "./hastHtml.ts";

const STYLE = `
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.5rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 1.8rem; }
h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.warning { border-left: 4px solid #cf222e; background: #ffebe9; padding: 0.1rem 0.8rem; margin: 0.5rem 0; }
ul.facts { list-style: none; padding: 0; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } a { color: inherit; } }
`;

/**
 * What the page may do when opened anywhere (from disk, a mail attachment, a file
 * share): nothing but show itself with its inline styles. No scripts, no requests,
 * no forms, no <base> — even if something got past the sanitizer.
 */
const EXPORT_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * The postmortem as one self-contained HTML page (inline styles, no scripts),
 * printable to PDF from a browser. `body` is the sanitized hast of the postmortem
 * tree; the page around it is fixed text.
 */
export function hastToHtmlDocument(title: string, body: HastRoot): string {
  const tree = h(null, [
    { type: "doctype" },
    h("html", { lang: "en" }, [
      h("head", [
        h("meta", { charset: "utf-8" }),
        h("meta", { httpEquiv: "Content-Security-Policy", content: EXPORT_PAGE_CSP }),
        h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
        h("title", title),
        h("style", STYLE),
      ]),
      h("body"),
    ]),
  ]);
  // The page is written around an empty body, the body's content separately (see
  // hastNodesToHtml); the title is escaped, so the last "</body>" is the page's.
  const page = toHtml(tree);
  const at = page.lastIndexOf("</body>");
  return `${page.slice(0, at)}${hastNodesToHtml(body.children)}${page.slice(at)}\n`;
}
