import type { ReactNode } from "react";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";

/** Who recorded a card and when, with anything else the card adds after it. */
export function RecordMeta({
  author,
  at,
  children,
}: {
  author: string;
  at: string;
  children?: ReactNode;
}) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  return (
    <div className="inv-meta">
      <span className="inv-author">{author}</span>
      <time dateTime={at} title={at} className="mono">
        {formatTime(at)}
      </time>
      {children}
    </div>
  );
}
