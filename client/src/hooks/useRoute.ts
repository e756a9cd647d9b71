import { useEffect, useSyncExternalStore } from "react";
import { incidentPath, navigate, onLocationChange, type Route, routeFor } from "../navigation.ts";

const getPathname = () => location.pathname;

/** The current route, following pushState navigation and back/forward. */
export function useRoute(): Route {
  const pathname = useSyncExternalStore(onLocationChange, getPathname);
  const route = routeFor(pathname);
  const canonical = route.page === "incident" ? incidentPath(route.key) : null;
  useEffect(() => {
    // /hot-12 and /HOT-12/ become /HOT-12, the one address for an incident.
    if (canonical && canonical !== pathname) navigate(canonical, { replace: true });
  }, [canonical, pathname]);
  return route;
}
