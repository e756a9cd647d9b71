import type { TimelineCorrection } from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";

const WORDS: Record<TimelineCorrection["action"], string> = {
  edited: "edited",
  retimed: "re-timed",
  deleted: "removed",
  key: "marked key",
  unkey: "unmarked key",
};

/** How many corrections a row shows; older ones are counted. */
const SHOWN = 3;

/**
 * Who corrected an entry and when, newest last: "edited by Ana 14:10 · re-timed by
 * Ben 14:12 (was 13:58)". The removal itself is said in place of the text, so it is
 * not repeated here.
 */
export function CorrectionHistory({ corrections }: { corrections: TimelineCorrection[] }) {
  const clock = useClock();
  const listed = corrections.filter((c) => c.action !== "deleted");
  if (listed.length === 0) return null;
  const earlier = Math.max(0, listed.length - SHOWN);
  // The history only grows at its end, so a correction's place in it is a stable key.
  const shown = listed.slice(earlier).map((c, i) => ({ ...c, position: earlier + i }));
  return (
    <span className="tl-history muted" data-testid="timeline-corrections">
      {earlier > 0 && <span>{earlier} earlier · </span>}
      {shown.map((c) => (
        <span key={c.position} data-testid="timeline-correction" data-action={c.action}>
          {c.position > earlier && " · "}
          {WORDS[c.action]} by {c.by} <time dateTime={c.at}>{clock.format(c.at)}</time>
          {c.from && (
            <>
              {" "}
              (was <time dateTime={c.from}>{clock.format(c.from)}</time>)
            </>
          )}
        </span>
      ))}
    </span>
  );
}
