import type { AnyExtension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";

/**
 * The TipTap extensions that define the rich-text fields' schema (`description`,
 * `notes`): every node and mark an editor can write into the Y.Doc.
 *
 * Defined once here because more than the editor depends on it: the exporter
 * (server/export/richNotes.ts) and the plain-text readers (richText.ts) interpret
 * the same node and mark names, and test/unit/richTextSchema.test.ts builds its
 * schema from this list to prove every node and mark survives the export. An editor
 * adds only what needs a live document (collaboration, carets) on top of it.
 *
 * Undo/redo is off: the collaboration binding brings its own, which works on the
 * shared Yjs document; TipTap's would be a second, conflicting history.
 *
 * Not re-exported from `./index.ts`, so the server, which only reads the fragment
 * as Yjs XML, never loads TipTap; import this file directly.
 */
export function richTextExtensions(): AnyExtension[] {
  return [StarterKit.configure({ undoRedo: false })];
}
