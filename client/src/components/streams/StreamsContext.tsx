import { createContext, type ReactNode, useContext, useMemo } from "react";
import type { WorkStream } from "#shared/doc/index.ts";

/** The filter value for records that belong to no stream. Stream ids are never "-" (ids.ts makes 12 characters). */
export const NO_STREAM = "-";

export interface StreamsView {
  /** Every stream of the incident, oldest first, done ones included. */
  streams: WorkStream[];
  byId: ReadonlyMap<string, WorkStream>;
  /** The stream the page is narrowed to, NO_STREAM for untagged records, or null for all. */
  filter: string | null;
}

const StreamsContext = createContext<StreamsView>({ streams: [], byId: new Map(), filter: null });

/**
 * Gives every section the incident's streams and the page's stream filter, so
 * badges, pickers and filtered lists need no props threaded through each card.
 * A filter naming a stream that is not in the document shows everything.
 */
export function StreamsProvider({
  streams,
  filter,
  children,
}: {
  streams: WorkStream[];
  filter: string | null;
  children: ReactNode;
}) {
  const view = useMemo<StreamsView>(() => {
    const byId = new Map(streams.map((s) => [s.id, s]));
    return {
      streams,
      byId,
      filter: filter === NO_STREAM || (filter !== null && byId.has(filter)) ? filter : null,
    };
  }, [streams, filter]);
  return <StreamsContext.Provider value={view}>{children}</StreamsContext.Provider>;
}

export function useStreams(): StreamsView {
  return useContext(StreamsContext);
}

/**
 * Whether a record is shown under the page's stream filter. A record tagged with a
 * stream the document does not hold (one dropped as invalid, or an id a CRDT client
 * made up) belongs to no stream, so it shows under "No stream" rather than nowhere.
 */
export function inStreamFilter(
  record: { streamId?: string },
  { filter, byId }: Pick<StreamsView, "filter" | "byId">,
): boolean {
  if (filter === null) return true;
  const stream =
    record.streamId !== undefined && byId.has(record.streamId) ? record.streamId : undefined;
  if (filter === NO_STREAM) return stream === undefined;
  return stream === filter;
}
