import { useCallback, useEffect, useState } from "react";
import type { IncidentListItem } from "#shared/incidentList.ts";
import { ApiError, listIncidents } from "../api.ts";

export interface IncidentList {
  incidents: IncidentListItem[] | null;
  error: ApiError | null;
  reload: () => void;
}

const REFRESH_MS = 15_000;

/** The incident list, active first, refreshed every few seconds while the dashboard is open. */
export function useIncidentList(): IncidentList {
  const [incidents, setIncidents] = useState<IncidentListItem[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger
  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      listIncidents(controller.signal).then(
        (list) => {
          setIncidents(sortActiveFirst(list));
          setError(null);
        },
        (reason: unknown) => {
          if (controller.signal.aborted) return;
          setError(
            reason instanceof ApiError ? reason : new ApiError(0, "internal", String(reason)),
          );
        },
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [generation]);

  return { incidents, error, reload };
}

function sortActiveFirst(list: IncidentListItem[]): IncidentListItem[] {
  return list
    .map((item, index) => ({ item, index }))
    .sort((a, b) =>
      a.item.active !== b.item.active ? (a.item.active ? -1 : 1) : a.index - b.index,
    )
    .map(({ item }) => item);
}
