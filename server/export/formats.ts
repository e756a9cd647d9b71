import { toConfluenceStorage } from "./confluence.ts";
import { toHtmlDocument } from "./html.ts";
import { toMarkdownDocument } from "./markdown.ts";
import type { Postmortem } from "./postmortem.ts";

export const EXPORT_FORMATS = ["markdown", "html", "json", "confluence"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  markdown: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  json: "application/json; charset=utf-8",
  confluence: "application/xhtml+xml; charset=utf-8",
};

export const EXTENSIONS: Record<ExportFormat, string> = { markdown: "md", html: "html", json: "json", confluence: "xhtml" };

/** Renders a postmortem; pure, so the same postmortem always gives the same bytes. */
export function render(pm: Postmortem, format: ExportFormat): string {
  switch (format) {
    case "markdown":
      return toMarkdownDocument(pm);
    case "html":
      return toHtmlDocument(pm);
    case "json":
      return `${JSON.stringify(pm, null, 2)}\n`;
    case "confluence":
      return toConfluenceStorage(pm);
  }
}
