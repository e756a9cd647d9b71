import { useEffect } from "react";

export interface SectionLink {
  id: string;
  label: string;
  key: string;
}

/** The incident page's sections, in page order, with the key that jumps to each. */
export const SECTIONS: SectionLink[] = [
  { id: "timeline", label: "Timeline", key: "1" },
  { id: "changes", label: "Change log", key: "2" },
  { id: "investigation", label: "Investigation", key: "3" },
  { id: "comms", label: "Comms", key: "4" },
  { id: "follow-ups", label: "Follow-ups", key: "5" },
  { id: "notes", label: "Notes", key: "6" },
];

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Keyboard shortcuts, ignored while typing: `/` or `n` focuses the quick-add,
 * `1`–`6` jump to a section, `?` toggles the help.
 */
export function useShortcuts(options: { focusQuickAdd: () => void; toggleHelp: () => void }): void {
  const { focusQuickAdd, toggleHelp } = options;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (event.key === "/" || event.key === "n") {
        event.preventDefault();
        focusQuickAdd();
        return;
      }
      if (event.key === "?") {
        toggleHelp();
        return;
      }
      const section = SECTIONS.find((s) => s.key === event.key);
      if (section) {
        event.preventDefault();
        document.getElementById(section.id)?.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [focusQuickAdd, toggleHelp]);
}
