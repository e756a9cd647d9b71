import type { ReactNode } from "react";
import { SECTIONS } from "../hooks/useShortcuts.ts";

/** Jump links to the page's sections, with their keyboard shortcuts, and page-wide view controls (`children`). */
export function SectionNav({
  showHelp,
  readOnly,
  children,
}: {
  showHelp: boolean;
  readOnly: boolean;
  children?: ReactNode;
}) {
  return (
    <nav className="section-nav" aria-label="Sections" data-testid="section-nav">
      {SECTIONS.map((section) => (
        <a key={section.id} href={`#${section.id}`} title={`Press ${section.key}`}>
          {section.label} <kbd>{section.key}</kbd>
        </a>
      ))}
      {children}
      {showHelp && (
        <p className="shortcut-help muted" data-testid="shortcut-help">
          {readOnly ? "" : "/ or n: add a timeline entry · "}1–6: jump to a section · ?: hide this
          help
        </p>
      )}
    </nav>
  );
}
