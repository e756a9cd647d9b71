import { useEffect, useState } from "react";
import * as Y from "yjs";
import { describeError } from "#shared/errors.ts";
import { apiBlob, apiFetch } from "../api.ts";

/** How far back the document can be rebuilt, from `GET /api/incidents/:key/history`. */
export function useHistoryRange(
  incidentKey: string,
  enabled: boolean,
): { start: number; now: number } | null {
  const [range, setRange] = useState<{ start: number; now: number } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    apiFetch<{ start: string | null; now: string }>(`/api/incidents/${incidentKey}/history`, {
      signal: controller.signal,
    })
      .then((body) =>
        setRange(body.start ? { start: Date.parse(body.start), now: Date.parse(body.now) } : null),
      )
      .catch(() => setRange(null));
    return () => controller.abort();
  }, [incidentKey, enabled]);
  return range;
}

/**
 * The document as it stood at `at`, rebuilt by the server from its update log and
 * loaded into a Y.Doc of its own (never connected, so nothing can change it). Each
 * doc is destroyed when it is replaced or the view closes; a late answer for an
 * older instant is dropped.
 */
export function useHistoryDoc(
  incidentKey: string,
  at: string | null,
): { doc: Y.Doc | null; error: string | null } {
  const [state, setState] = useState<{ doc: Y.Doc | null; error: string | null }>({
    doc: null,
    error: null,
  });
  useEffect(() => {
    if (!at) {
      setState({ doc: null, error: null });
      return;
    }
    const controller = new AbortController();
    let loaded: Y.Doc | null = null;
    const timer = setTimeout(() => {
      apiBlob(`/api/incidents/${incidentKey}/state?at=${encodeURIComponent(at)}`, controller.signal)
        .then(async (blob) => {
          const bytes = new Uint8Array(await blob.arrayBuffer());
          if (controller.signal.aborted) return;
          loaded = new Y.Doc();
          Y.applyUpdate(loaded, bytes);
          setState({ doc: loaded, error: null });
        })
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setState({ doc: null, error: describeError(error) });
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
      // The next instant's doc replaces this one; this one is no longer shown after this render.
      const done = loaded;
      if (done) setTimeout(() => done.destroy(), 0);
    };
  }, [incidentKey, at]);
  return state;
}
