import type { MouseEvent } from "react";
import { IncidentKeySchema } from "#shared/doc/index.ts";

/**
 * Client-side routes: `/` is the dashboard, `/HOT-12` an incident page, `/signed-in`
 * where a sign-in started from a signed-out page (in a new tab) lands.
 */
export type Route =
  | { page: "dashboard" }
  | { page: "signed-in" }
  | { page: "incident"; key: string }
  | { page: "not-found"; path: string };

const NAVIGATE_EVENT = "hotdoc:navigate";

export const SIGNED_IN_PATH = "/signed-in";

export function routeFor(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "dashboard" };
  if (path === SIGNED_IN_PATH) return { page: "signed-in" };
  const segment = safeDecode(path.slice(1)).toUpperCase();
  if (IncidentKeySchema.safeParse(segment).success) return { page: "incident", key: segment };
  return { page: "not-found", path: pathname };
}

export function incidentPath(key: string): string {
  return `/${encodeURIComponent(key)}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Subscribes to address changes made by `navigate` and by back/forward. */
export function onLocationChange(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(NAVIGATE_EVENT, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(NAVIGATE_EVENT, listener);
  };
}

/** onClick for in-app links: plain clicks navigate in place, modified clicks keep browser behaviour. */
export function linkClick(path: string) {
  return (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    navigate(path);
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
