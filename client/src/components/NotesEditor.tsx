import type { HocuspocusProvider } from "@hocuspocus/provider";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { EditorContent, useEditor } from "@tiptap/react";
import { memo, useEffect, useState } from "react";
import type * as Y from "yjs";
import { richTextExtensions } from "#shared/doc/editorSchema.ts";
import { richTextField } from "#shared/doc/index.ts";
import { textColorOn } from "#shared/presence.ts";
import { awarenessUser } from "../hooks/usePresence.ts";
import { KeepCaretInText } from "./notesCaret.ts";

interface CaretUser {
  name: string;
  color: string;
}

interface NotesEditorProps {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  user: CaretUser;
  /** A viewer's editor is bound but not editable: no keystroke reaches its local document. */
  readOnly: boolean;
}

/** Another person's caret: a bar and a name tag in their colour, the name in black or white to stay legible. */
function renderCaret(state: Record<string, unknown>): HTMLElement {
  const user = awarenessUser({ user: state }) ?? { name: "?", color: "#808080" };
  const caret = document.createElement("span");
  caret.classList.add("collaboration-carets__caret");
  caret.style.borderColor = user.color;
  const label = document.createElement("span");
  label.classList.add("collaboration-carets__label");
  label.style.backgroundColor = user.color;
  label.style.color = textColorOn(user.color);
  label.textContent = user.name;
  caret.append(label);
  return caret;
}

/**
 * Free rich text bound to the document's `notes` field; undo/redo comes from the Yjs
 * binding. The editor is built once the page has painted: building it over 50 KB of
 * notes took 130 ms of the first render, which held back the timeline, while the notes
 * sit far below it.
 */
export const NotesEditor = memo(function NotesEditor(props: NotesEditorProps) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setReady(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return (
    <section className="panel" id="notes" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <div className="notes-editor" data-testid="notes-editor" aria-busy={!ready}>
        {ready && <BoundEditor {...props} />}
      </div>
    </section>
  );
});

function BoundEditor({ doc, provider, user, readOnly }: NotesEditorProps) {
  const editor = useEditor(
    {
      editable: !readOnly,
      extensions: [
        ...richTextExtensions(),
        Collaboration.configure({ document: doc, field: richTextField("notes") }),
        CollaborationCaret.configure({ provider, user, render: renderCaret }),
        KeepCaretInText,
      ],
      editorProps: {
        attributes: { class: "prose", "data-testid": "notes-content", "aria-label": "Notes" },
      },
    },
    [doc, provider],
  );

  useEffect(() => {
    editor.setEditable(!readOnly);
  }, [editor, readOnly]);

  const { name, color } = user;
  useEffect(() => {
    editor.commands.updateUser({ name, color });
  }, [editor, name, color]);

  return <EditorContent editor={editor} />;
}
