import { useEffect, useState } from "react";

/**
 * The incident page's code (the editor, the collaboration provider) is its own chunk, so
 * the dashboard does not load it. It is loaded here rather than through React.lazy and
 * Suspense: React holds back content revealed under a Suspense fallback for up to 300 ms
 * after the fallback showed, which on a link to an incident kept the page from connecting
 * for about a quarter of a second after its code had arrived.
 */
type IncidentPageModule = typeof import("./components/IncidentPage.tsx");

let loaded: IncidentPageModule | null = null;
let loading: Promise<IncidentPageModule> | null = null;

/** Starts loading the incident page's code, once; main.tsx calls it at start on an incident's address. */
export function loadIncidentPageCode(): Promise<IncidentPageModule> {
  loading ??= import("./components/IncidentPage.tsx").then(
    (module) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      // A failed load (the network dropped, a deploy replaced the chunk) may be tried again.
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * The incident page component once its code is here (loading it when `wanted`, that is on
 * an incident's address); "failed" if it could not be loaded.
 */
export function useIncidentPageCode(
  wanted: boolean,
): IncidentPageModule["IncidentPage"] | null | "failed" {
  const [module, setModule] = useState(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (module || !wanted) return;
    let live = true;
    loadIncidentPageCode().then(
      (m) => live && setModule(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [module, wanted]);
  if (module) return module.IncidentPage;
  return failed ? "failed" : null;
}
