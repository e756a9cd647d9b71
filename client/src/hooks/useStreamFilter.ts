import { useCallback, useState } from "react";

const PARAM = "stream";

function fromLocation(): string | null {
  return new URLSearchParams(location.search).get(PARAM) || null;
}

/**
 * The page's work-stream filter, kept in the address (`?stream=<id>`) so a link or a
 * reload shows the same narrowed page. `null` is every stream. The hash (section
 * anchors, a share link's token) is left as it is.
 */
export function useStreamFilter(): [string | null, (next: string | null) => void] {
  const [filter, setFilter] = useState<string | null>(fromLocation);
  const set = useCallback((next: string | null) => {
    setFilter(next);
    const params = new URLSearchParams(location.search);
    if (next) params.set(PARAM, next);
    else params.delete(PARAM);
    const search = params.toString();
    history.replaceState(
      history.state,
      "",
      `${location.pathname}${search ? `?${search}` : ""}${location.hash}`,
    );
  }, []);
  return [filter, set];
}
