import { measureElement, observeElementOffset, useVirtualizer } from "@tanstack/react-virtual";
import {
  memo,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type * as Y from "yjs";
import {
  type Actor,
  concernsWholeIncident,
  SOURCES,
  TIMELINE_KINDS,
  type TimelineEntry,
} from "#shared/doc/index.ts";
import { timelineFacets } from "../hooks/timelineFacets.ts";
import { QuickAddForm } from "./QuickAddForm.tsx";
import { inStreamFilter, useStreams } from "./streams/StreamsContext.tsx";
import { TimelineEntryRow } from "./TimelineEntryRow.tsx";

// Its props do not change with new entries: without memo every entry re-rendered its
// fields, and React sets a field's name and type again on each render, which dirties the
// page's layout.
const QuickAdd = memo(QuickAddForm);

interface TimelineFilter {
  kind: string;
  source: string;
  keyOnly: boolean;
}

interface TimelineProps {
  entries: TimelineEntry[];
  doc: Y.Doc;
  actor: Actor;
  readOnly: boolean;
  quickAddRef?: RefObject<HTMLInputElement | null>;
}

/**
 * The timeline in time order, chat-mirrored and hand-written entries together.
 * Virtualised (@tanstack/react-virtual) so thousands of entries stay smooth; it
 * follows new entries while you are at the bottom and stays put when you scrolled up.
 */
export function Timeline({ entries, doc, actor, readOnly, quickAddRef }: TimelineProps) {
  const [filter, setFilter] = useState<TimelineFilter>({
    kind: "all",
    source: "all",
    keyOnly: false,
  });
  // The page's work-stream filter narrows the timeline too (an entry that stands for a
  // record is in the record's stream), but what concerns the whole incident (status,
  // severity, roles other than a stream's lead, untagged key events) stays in view.
  const streams = useStreams();
  // With no filter set that is every entry, and no copy of ten thousand of them per update.
  const visible = useMemo(
    () =>
      filter.kind === "all" && filter.source === "all" && !filter.keyOnly && streams.filter === null
        ? entries
        : entries.filter(
            (e) =>
              (filter.kind === "all" || e.kind === filter.kind) &&
              (filter.source === "all" || e.source === filter.source) &&
              (!filter.keyOnly || e.pinned) &&
              (inStreamFilter(e, streams) || concernsWholeIncident(e, streams.byId)),
          ),
    [entries, filter, streams],
  );
  // The entry whose correction editor is open. Kept here, not in the row: a virtualised
  // row unmounts when scrolled away, and the editor should still be open on return.
  const [editingId, setEditingId] = useState<string | null>(null);
  // A page that turns read-only (the session ended) closes the editor for good: signing
  // in again gives the page back as it is, not with an editor nobody just asked for.
  useEffect(() => {
    if (readOnly) setEditingId(null);
  }, [readOnly]);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // One key function for the component's life, reading the rows of the latest render: a
  // new function on every render made the virtualiser lay out all rows again each time.
  const rows = useRef(visible);
  rows.current = visible;
  const getItemKey = useCallback((index: number) => rows.current[index].id, []);
  // The virtualiser's scroll listener, kept so that the follow below can report its own
  // scroll at once (see there); `followed` is the offset it wrote and already reported.
  const offsetListener = useRef<((offset: number, isScrolling: boolean) => void) | null>(null);
  const followed = useRef<number | null>(null);
  // Rows not yet measured count as one line: the smallest row measured so far. A new
  // one-line entry then measures as estimated, and nothing is laid out again for it.
  const oneLine = useRef<number | null>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => oneLine.current ?? 29,
    measureElement: (element, entry, instance) => {
      const size = measureElement(element, entry, instance);
      if (size > 0 && (oneLine.current === null || size < oneLine.current)) oneLine.current = size;
      return size;
    },
    overscan: 15,
    getItemKey,
    observeElementOffset: (instance, report) => {
      offsetListener.current = report;
      return observeElementOffset(instance, (offset, isScrolling) => {
        // The scroll event (and its end) of a follow already reported: nothing new.
        if (offset === followed.current) return;
        followed.current = null;
        report(offset, isScrolling);
      });
    },
  });
  const totalSize = virtualizer.getTotalSize();

  // Following new entries would pull the view away from an entry being corrected.
  const following = editingId === null;
  // Set before paint, straight on the scroller: the virtualiser's scrollToIndex settles
  // over several animation frames, each measuring again (a remote entry cost four frames
  // and two scroll events). A row measured at another height than estimated changes the
  // total height, which runs this again. The new offset goes to the virtualiser at once,
  // as a scroll at rest: the rows it brings into range render before this paint, instead
  // of in two more frames when the scroll event and its end arrive.
  const followEnd = useCallback(() => {
    const el = scroller.current;
    if (!el || !following || !atBottom.current) return;
    const end = el.scrollHeight - el.clientHeight;
    if (el.scrollTop >= end) return;
    el.scrollTop = end;
    followed.current = el.scrollTop;
    offsetListener.current?.(el.scrollTop, false);
  }, [following]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the number of rows or the total height changes
  useLayoutEffect(followEnd, [visible.length, totalSize, followEnd]);

  // The kinds and sources the timeline holds: the reader gives them for a timeline it
  // only extended, so a new entry costs no walk over the whole timeline.
  const { kinds, sources } = useMemo(() => {
    const facets = timelineFacets(entries);
    return {
      kinds: TIMELINE_KINDS.filter((k) => facets.kinds.has(k)),
      sources: SOURCES.filter((s) => facets.sources.has(s)),
    };
  }, [entries]);

  const kindList = useSameList(kinds);
  const sourceList = useSameList(sources);

  const count =
    visible.length === entries.length
      ? String(entries.length)
      : `${visible.length} of ${entries.length}`;

  return (
    <section className="panel timeline-panel" id="timeline" aria-labelledby="timeline-title">
      <div className="panel-head">
        <h2 id="timeline-title">
          Timeline{" "}
          <span className="muted timeline-count" style={{ width: `${count.length + 0.5}ch` }}>
            {count}
          </span>
        </h2>
        <Filters filter={filter} setFilter={setFilter} kinds={kindList} sources={sourceList} />
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: the virtualiser's scroller stays a div; the role names the focusable box for screen readers */}
      <div
        className="timeline-scroll"
        ref={scroller}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must take the focus so the keyboard can scroll it (WCAG 2.1.1); a viewer's entries hold no control that could
        tabIndex={0}
        role="region"
        aria-label="Timeline entries"
        data-testid="timeline"
        data-count={visible.length}
        style={{ height: Math.max(90, Math.min(totalSize + 4, 640)) }}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        <div className="timeline-inner" style={{ height: totalSize }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="timeline-slot"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <TimelineEntryRow
                entry={visible[item.index]}
                doc={doc}
                actor={actor}
                readOnly={readOnly}
                editing={editingId === visible[item.index].id}
                onEdit={setEditingId}
              />
            </div>
          ))}
        </div>
        {visible.length === 0 && (
          <p className="muted empty">
            {entries.length ? "No entries match the filters." : "Nothing recorded yet."}
          </p>
        )}
      </div>
      {!readOnly && <QuickAdd ref={quickAddRef} doc={doc} actor={actor} />}
    </section>
  );
}

/** The timeline's filters, memoised: a new entry re-renders them only when a kind or source appears. */
const Filters = memo(function Filters({
  filter,
  setFilter,
  kinds,
  sources,
}: {
  filter: TimelineFilter;
  setFilter: (filter: TimelineFilter) => void;
  kinds: readonly string[];
  sources: readonly string[];
}) {
  return (
    <div className="filters" data-testid="timeline-filters">
      <select
        aria-label="Filter by kind"
        data-view-control
        data-testid="filter-kind"
        value={filter.kind}
        onChange={(e) => setFilter({ ...filter, kind: e.target.value })}
      >
        <option value="all">all kinds</option>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <select
        aria-label="Filter by source"
        data-view-control
        data-testid="filter-source"
        value={filter.source}
        onChange={(e) => setFilter({ ...filter, source: e.target.value })}
      >
        <option value="all">all sources</option>
        {sources.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label className="inline">
        <input
          type="checkbox"
          data-view-control
          data-testid="filter-key"
          checked={filter.keyOnly}
          onChange={(e) => setFilter({ ...filter, keyOnly: e.target.checked })}
        />{" "}
        key events
      </label>
    </div>
  );
});

/** `list`, or the one given last time when it holds the same items: a prop memo can compare. */
function useSameList<T>(list: readonly T[]): readonly T[] {
  const last = useRef(list);
  if (last.current.length !== list.length || last.current.some((item, i) => item !== list[i]))
    last.current = list;
  return last.current;
}
