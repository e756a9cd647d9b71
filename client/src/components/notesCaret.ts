import { Extension } from "@tiptap/core";
import { Plugin, PluginKey, TextSelection } from "@tiptap/pm/state";
import { relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import * as Y from "yjs";

/**
 * Keeps your caret after the character you last typed when someone else types at the
 * same spot.
 *
 * When a remote change arrives, `@tiptap/y-tiptap` (3.0.7 and later) rebuilds the editor's
 * content and puts the selection back from Yjs relative positions, which stick to the
 * character left of the caret, exactly what co-typing needs. But it then second-guesses
 * that answer: a paragraph whose text changed counts as a "structural change" (meant for
 * blocks moved by drag and drop), and the caret is put back at its old *numeric* offset.
 * When the other person's characters land before yours, your caret falls in front of your
 * own last character, and your next keystrokes split your run ("[AAAA" typed beside
 * "[BBBB" became "[BBBB…AAAA…["). We have no block drag and drop, so for a caret inside
 * text, Yjs's resolution is right and this plugin restores it.
 */
export const KeepCaretInText = Extension.create({
  name: "keepCaretInText",
  // After Collaboration's sync plugin, so this sees the selection it restored.
  priority: 50,
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey("keepCaretInText"),
        appendTransaction(transactions, _old, state) {
          const remote = transactions.find((tr) => {
            const meta = tr.getMeta(ySyncPluginKey) as
              | { isChangeOrigin?: boolean; isUndoRedoOperation?: boolean }
              | undefined;
            return meta?.isChangeOrigin === true && meta.isUndoRedoOperation !== true;
          });
          if (!remote || !(state.selection instanceof TextSelection)) return null;
          const sync = ySyncPluginKey.getState(state) as { binding?: SyncBinding } | undefined;
          const binding = sync?.binding;
          const before = binding?.beforeTransactionSelection;
          if (!binding || !before || before.type !== "text") return null;
          const anchor = insideText(binding, before.anchor);
          const head = insideText(binding, before.head);
          if (anchor === null || head === null) return null;
          const size = state.doc.content.size;
          if (anchor > size || head > size) return null;
          if (state.selection.anchor === anchor && state.selection.head === head) return null;
          const selection = TextSelection.between(
            state.doc.resolve(anchor),
            state.doc.resolve(head),
          );
          return state.tr.setSelection(selection).setMeta("addToHistory", false);
        },
      }),
    ];
  },
});

interface RelativeSelection {
  type: string;
  anchor: Y.RelativePosition | null;
  head: Y.RelativePosition | null;
}

interface SyncBinding {
  doc: Y.Doc;
  type: Y.XmlFragment;
  mapping: Map<unknown, unknown>;
  beforeTransactionSelection: RelativeSelection | null;
}

/** Where a relative position anchored to a character of text is now; null for any other kind. */
function insideText(binding: SyncBinding, position: Y.RelativePosition | null): number | null {
  if (!position || position.item === null) return null;
  const absolute = Y.createAbsolutePositionFromRelativePosition(position, binding.doc);
  if (!absolute || !(absolute.type instanceof Y.XmlText)) return null;
  return relativePositionToAbsolutePosition(
    binding.doc,
    binding.type,
    position,
    // biome-ignore lint/suspicious/noExplicitAny: y-tiptap types its mapping loosely
    binding.mapping as any,
  );
}
