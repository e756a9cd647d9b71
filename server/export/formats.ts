import {
  EXPORT_FORMATS,
  type ExportFormatDescriptor,
  type ExportFormatId,
} from "#shared/exportFormats.ts";
import { hastToConfluenceStorage } from "./confluence.ts";
import { treeToSafeHast } from "./hast.ts";
import { hastToHtmlDocument } from "./html.ts";
import { treeToMarkdown } from "./markdown.ts";
import type { Postmortem } from "./postmortem.ts";
import { postmortemTree } from "./postmortemTree.ts";

export type { ExportFormatId } from "#shared/exportFormats.ts";

/** An export format with its renderer: pure, so the same postmortem always gives the same bytes. */
export interface ExportFormat extends ExportFormatDescriptor {
  id: ExportFormatId;
  render(pm: Postmortem): string;
}

// Every format but JSON is derived from the one sanitized mdast tree.
const RENDERERS: Record<ExportFormatId, (pm: Postmortem) => string> = {
  markdown: (pm) => treeToMarkdown(postmortemTree(pm)),
  html: (pm) => hastToHtmlDocument(pm.title, treeToSafeHast(postmortemTree(pm))),
  confluence: (pm) => hastToConfluenceStorage(treeToSafeHast(postmortemTree(pm))),
  json: (pm) => `${JSON.stringify(pm, null, 2)}\n`,
};

/** The registry: every format in the order the export menu lists them. */
export const EXPORT_REGISTRY: readonly ExportFormat[] = EXPORT_FORMATS.map((format) => ({
  ...format,
  render: RENDERERS[format.id],
}));

/** The registry entry for a format id. */
export function exportFormat(id: ExportFormatId): ExportFormat {
  const format = EXPORT_REGISTRY.find((f) => f.id === id);
  if (!format) throw new Error(`unknown export format ${id}`);
  return format;
}

/** Renders a postmortem in one format. */
export function render(pm: Postmortem, id: ExportFormatId): string {
  return exportFormat(id).render(pm);
}
