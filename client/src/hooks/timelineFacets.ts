import type { TimelineEntry } from "#shared/doc/index.ts";

/** The kinds and sources a timeline holds: what its filters offer. */
export interface TimelineFacets {
  readonly kinds: ReadonlySet<string>;
  readonly sources: ReadonlySet<string>;
}

// Per timeline array: the reader, which knows when a new timeline only adds entries to
// the last, gives its facets without a walk over the ten thousand before them.
const known = new WeakMap<readonly TimelineEntry[], TimelineFacets>();

/** The facets of `timeline`, from one walk over it unless the reader already gave them. */
export function timelineFacets(timeline: readonly TimelineEntry[]): TimelineFacets {
  const cached = known.get(timeline);
  if (cached) return cached;
  const facets = grownFacets({ kinds: new Set(), sources: new Set() }, timeline);
  known.set(timeline, facets);
  return facets;
}

/** Records that `timeline` has `facets` (the reader's, for a timeline it extended). */
export function rememberFacets(timeline: readonly TimelineEntry[], facets: TimelineFacets): void {
  known.set(timeline, facets);
}

/** `facets` with those of `entries` added: the facets of a timeline that gained them. */
export function grownFacets(
  facets: TimelineFacets,
  entries: readonly TimelineEntry[],
): TimelineFacets {
  const kinds = new Set(facets.kinds);
  const sources = new Set(facets.sources);
  for (const e of entries) {
    kinds.add(e.kind);
    sources.add(e.source);
  }
  return { kinds, sources };
}
