import type { IncidentSummary } from "./doc/read.ts";

/** One row of `GET /api/incidents`, as the server sends it and the dashboard shows it. */
export interface IncidentListItem extends IncidentSummary {
  /** New or fixing: still in progress, so the list puts it first. */
  active: boolean;
}
