/** The incident document: its shape, its rules and the only ways to read and write it. */

export * from "./comms.ts";
export * from "./editing.ts";
export {
  onlyNotesChanged,
  richText,
  richTextField,
} from "./fields.ts";

export * from "./incident.ts";
export * from "./investigation.ts";
export { type RecordCount, recordsAddedBy, trackRecordCount } from "./limits.ts";
export { maxLengthOf, type TextSchema } from "./maxLength.ts";
export * from "./migrations.ts";
export * from "./paging.ts";
export * from "./quickAdd.ts";
export * from "./read.ts";
export * from "./richText.ts";
export * from "./schema.ts";
export * from "./streams.ts";
export * from "./streamTags.ts";
export * from "./timeline.ts";
export * from "./times.ts";
export * from "./vocabulary.ts";
