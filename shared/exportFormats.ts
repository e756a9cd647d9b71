/**
 * The postmortem export formats: one list that the export route, the CLI and the
 * client's export menu all read. The server attaches a renderer to each
 * (server/export/formats.ts); nothing here depends on the server.
 */
export interface ExportFormatDescriptor {
  /** The `format=` value of `GET /api/incidents/:key/export` and the CLI's `--format`. */
  id: string;
  /** What the export menu shows. */
  label: string;
  contentType: string;
  /** File name extension, without the dot. */
  extension: string;
}

export const EXPORT_FORMATS = [
  {
    id: "html",
    label: "HTML (printable)",
    contentType: "text/html; charset=utf-8",
    extension: "html",
  },
  {
    id: "markdown",
    label: "Markdown",
    contentType: "text/markdown; charset=utf-8",
    extension: "md",
  },
  {
    id: "confluence",
    label: "Confluence",
    contentType: "application/xhtml+xml; charset=utf-8",
    extension: "xhtml",
  },
  { id: "json", label: "JSON", contentType: "application/json; charset=utf-8", extension: "json" },
] as const satisfies readonly ExportFormatDescriptor[];

export type ExportFormatId = (typeof EXPORT_FORMATS)[number]["id"];

/** The format ids, for validators (`z.enum`) and usage messages. */
export const EXPORT_FORMAT_IDS = EXPORT_FORMATS.map((format) => format.id) as [
  ExportFormatId,
  ...ExportFormatId[],
];

/** The format the API and the CLI use when none is asked for. */
export const DEFAULT_EXPORT_FORMAT: ExportFormatId = "markdown";

/** A postmortem's file name: `HOT-12-postmortem.md`, or `HOT-12-postmortem-at-2026-11-20T140500000Z.md` for a past instant. */
export function exportFileName(key: string, format: ExportFormatId, at?: string | null): string {
  const extension = EXPORT_FORMATS.find((f) => f.id === format)?.extension ?? "txt";
  const suffix = at ? `-at-${new Date(at).toISOString().replace(/[:.]/g, "")}` : "";
  return `${key}-postmortem${suffix}.${extension}`;
}
