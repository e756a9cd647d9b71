/**
 * The one order of the document's records: by when they happened, then by a
 * collection's own tie-break, then by id. Strings compare by code unit, not by
 * locale, so every reader and every rebuild of the same content sees one order.
 */

interface Timed {
  at: string;
  id: string;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator for records in time order; records of the same instant go by `tieBreak`, then by id. */
export function inTimeOrder<T extends Timed>(
  tieBreak?: (a: T, b: T) => number,
): (a: T, b: T) => number {
  return (a, b) => compareText(a.at, b.at) || (tieBreak?.(a, b) ?? 0) || compareText(a.id, b.id);
}

/** Records in time order; records of the same instant by id. */
export const byAt: (a: Timed, b: Timed) => number = inTimeOrder();
