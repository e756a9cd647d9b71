import type { ReactNode } from "react";
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
