import { CHAT_PLATFORM_INFO } from "#shared/chat/platforms.ts";
import type { Source } from "#shared/doc/index.ts";

const ICONS: Record<Source, { glyph: string; label: string }> = {
  ...CHAT_PLATFORM_INFO,
  editor: { glyph: "✎", label: "Editor" },
  api: { glyph: "⇄", label: "API" },
  system: { glyph: "⚙", label: "hotdoc" },
};

/** Where a timeline entry came from, as a small labelled glyph. */
export function SourceIcon({ source }: { source: Source }) {
  const icon = ICONS[source];
  return (
    <span
      className={`source-icon source-${source}`}
      role="img"
      title={icon.label}
      aria-label={icon.label}
      data-testid="entry-source"
      data-source={source}
    >
      {icon.glyph}
    </span>
  );
}
