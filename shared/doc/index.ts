/** The incident document: its shape, its rules and the only ways to read and write it. */

export * from "./comms.ts";
export * from "./editing.ts";
export {
  COLLECTIONS,
  type CollectionName,
  onlyNotesChanged,
  RICH_TEXTS,
  type RichTextName,
  richText,
  richTextField,
} from "./fields.ts";
export { newId, toInstant } from "./ids.ts";
export * from "./incident.ts";
export * from "./investigation.ts";
export { type RecordCount, recordsAddedBy, trackRecordCount } from "./limits.ts";
export * from "./migrations.ts";
export * from "./quickAdd.ts";
export * from "./read.ts";
export { observeCollection } from "./records.ts";
export * from "./richText.ts";
export * from "./schema.ts";
export * from "./timeline.ts";
export * from "./times.ts";
export * from "./vocabulary.ts";
