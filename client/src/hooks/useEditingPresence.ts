import type { HocuspocusProvider } from "@hocuspocus/provider";
import { type RefObject, useEffect } from "react";
import { textColorOn } from "#shared/presence.ts";
import { awarenessUser } from "./usePresence.ts";

const FIELD = "editing";

interface Editor {
  name: string;
  color: string;
}

/**
 * "Who is editing which record": while an input inside a record (any element with
 * `data-id`) has focus, this client's awareness carries that record's id; records
 * someone else is editing get `data-editing-by` (their names) and their colour,
 * which the stylesheet turns into an outline and a label.
 */
export function useEditingPresence(
  provider: HocuspocusProvider | null,
  root: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const awareness = provider?.awareness;
    const element = root.current;
    if (!awareness || !element) return;

    const recordOf = (target: EventTarget | null) =>
      target instanceof Element
        ? (target.closest("[data-id]")?.getAttribute("data-id") ?? null)
        : null;
    const onFocusIn = (event: FocusEvent) => {
      const id = recordOf(event.target);
      if (awareness.getLocalState()?.[FIELD] !== id) awareness.setLocalStateField(FIELD, id);
    };
    const onFocusOut = (event: FocusEvent) => {
      if (recordOf(event.relatedTarget) === null && awareness.getLocalState()?.[FIELD])
        awareness.setLocalStateField(FIELD, null);
    };

    let editors = new Map<string, Editor[]>();
    const paint = () => {
      element.querySelectorAll("[data-editing-by]").forEach((node) => {
        const id = node.getAttribute("data-id") ?? "";
        if (!editors.has(id)) {
          node.removeAttribute("data-editing-by");
          (node as HTMLElement).style.removeProperty("--editing-color");
          (node as HTMLElement).style.removeProperty("--editing-text");
        }
      });
      for (const [id, who] of editors) {
        element.querySelectorAll(`[data-id="${CSS.escape(id)}"]`).forEach((node) => {
          const label = who.map((w) => w.name).join(", ");
          if (node.getAttribute("data-editing-by") !== label)
            node.setAttribute("data-editing-by", label);
          (node as HTMLElement).style.setProperty("--editing-color", who[0].color);
          (node as HTMLElement).style.setProperty("--editing-text", textColorOn(who[0].color));
        });
      }
    };
    const read = () => {
      const next = new Map<string, Editor[]>();
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID) return;
        const id = (state as Record<string, unknown>)[FIELD];
        const user = awarenessUser(state);
        if (typeof id !== "string" || !user) return;
        next.set(id, [...(next.get(id) ?? []), { name: user.name, color: user.color }]);
      });
      editors = next;
      paint();
    };
    // Rows come and go (the timeline is virtualised, lists re-render): repaint when they do.
    const observer = new MutationObserver(() => {
      if (editors.size > 0) paint();
    });
    observer.observe(element, { childList: true, subtree: true });
    element.addEventListener("focusin", onFocusIn);
    element.addEventListener("focusout", onFocusOut);
    awareness.on("change", read);
    read();
    return () => {
      observer.disconnect();
      element.removeEventListener("focusin", onFocusIn);
      element.removeEventListener("focusout", onFocusOut);
      awareness.off("change", read);
    };
  }, [provider, root]);
}
