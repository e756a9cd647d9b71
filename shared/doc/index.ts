/** The incident document: its shape, its rules and the only ways to read and write it. */
export * from "./vocabulary.ts";
export * from "./schema.ts";
export { COLLECTIONS, RICH_TEXTS, richText, richTextField, onlyNotesChanged, type CollectionName, type RichTextName } from "./fields.ts";
export { newId, toInstant } from "./ids.ts";
export { observeCollection } from "./records.ts";
export * from "./timeline.ts";
export * from "./incident.ts";
export * from "./investigation.ts";
export * from "./comms.ts";
export * from "./richText.ts";
export * from "./times.ts";
export * from "./migrations.ts";
export * from "./read.ts";
export * from "./editing.ts";
export * from "./quickAdd.ts";
export { recordsAddedBy, trackRecordCount, type RecordCount } from "./limits.ts";
