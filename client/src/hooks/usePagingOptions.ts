import { useEffect, useState } from "react";
import type { PagingOptions } from "#shared/paging.ts";
import { apiFetch } from "../api.ts";

/** What the page knows when the server cannot say (an older server, a refusal, no network): nothing is configured. */
const PAGING_NOT_CONFIGURED: PagingOptions = {
  teams: [],
  minSeverity: 0,
  publishing: { internal: [], external: [] },
  cadenceMinutes: 30,
};

// One request for the whole page: the header's paging panel and both comms drafts share it.
let pending: Promise<PagingOptions> | null = null;
let known: PagingOptions | undefined;

function load(): Promise<PagingOptions> {
  pending ??= apiFetch<unknown>("/api/paging").then(
    (body) => {
      known = readOptions(body);
      return known;
    },
    () => {
      // A failure is not remembered: the next page that opens asks again.
      pending = null;
      return PAGING_NOT_CONFIGURED;
    },
  );
  return pending;
}

/**
 * Who can be paged and where each audience's updates are published (`GET /api/paging`),
 * fetched once per page and shared. `undefined` while it loads; a failed request reads
 * as "not configured", never as an error on the page. `enabled` false skips the request
 * (a viewer has no use for it).
 */
export function usePagingOptions(enabled = true): PagingOptions | undefined {
  const [options, setOptions] = useState<PagingOptions | undefined>(() =>
    enabled ? known : PAGING_NOT_CONFIGURED,
  );
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    load().then((loaded) => {
      if (live) setOptions(loaded);
    });
    return () => {
      live = false;
    };
  }, [enabled]);
  return enabled ? options : PAGING_NOT_CONFIGURED;
}

/** The answer as far as it has the expected shape; what it lacks reads as not configured. */
function readOptions(body: unknown): PagingOptions {
  const raw = (body ?? {}) as Partial<Record<keyof PagingOptions, unknown>>;
  const publishing = (raw.publishing ?? {}) as Record<string, unknown>;
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  return {
    teams: list<PagingOptions["teams"][number]>(raw.teams).filter(
      (team) => typeof team?.name === "string" && team.name.length > 0,
    ),
    minSeverity: typeof raw.minSeverity === "number" ? raw.minSeverity : 0,
    publishing: {
      internal: list(publishing.internal),
      external: list(publishing.external),
    },
    cadenceMinutes:
      typeof raw.cadenceMinutes === "number"
        ? raw.cadenceMinutes
        : PAGING_NOT_CONFIGURED.cadenceMinutes,
  };
}
