import type { MouseEvent } from "react";

/** The id of each page's `<main>`, which the first skip link moves the focus to. */
export const MAIN_CONTENT_ID = "main";
/** The id of the timeline's quick-add box, the incident page's most used control. */
export const QUICK_ADD_ID = "quick-add-text";

/**
 * The page's first Tab stops (WCAG 2.4.1, bypass blocks), hidden until focused: past the
 * top bar to the page's own content, and, for someone who may edit an incident, straight
 * to the box that adds a timeline entry (dozens of stops further down otherwise). The
 * focus is moved by hand rather than by the fragment, so the address keeps no "#main"
 * and the session's fragment handling (tokens arrive in the fragment) never sees it.
 */
export function SkipLinks({ toQuickAdd }: { toQuickAdd: boolean }) {
  const skipTo = (id: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    // A page that has none (still loading, or turned read-only) falls back to its main content.
    const target = document.getElementById(id) ?? document.getElementById(MAIN_CONTENT_ID);
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: id === MAIN_CONTENT_ID ? "start" : "center" });
    target.focus();
  };
  return (
    <>
      <a
        className="skip-link"
        href={`#${MAIN_CONTENT_ID}`}
        onClick={skipTo(MAIN_CONTENT_ID)}
        data-testid="skip-link"
      >
        Skip to main content
      </a>
      {toQuickAdd && (
        <a
          className="skip-link"
          href={`#${QUICK_ADD_ID}`}
          onClick={skipTo(QUICK_ADD_ID)}
          data-testid="skip-to-quick-add"
        >
          Skip to adding a timeline entry
        </a>
      )}
    </>
  );
}
