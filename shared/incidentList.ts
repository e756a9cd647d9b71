import type { IncidentSummary } from "./doc/read.ts";

/** One row of `GET /api/incidents`, as the server sends it and the dashboard shows it. */
export interface IncidentListItem extends IncidentSummary {
  /** New or fixing: still in progress, so the list puts it first. */
  active: boolean;
  /**
   * When anything in the incident's document last changed (ISO 8601): a timeline entry,
   * the notes, a change, any record or field, whoever made it. `updatedAt` covers only
   * the incident's own fields.
   */
  lastActivityAt: string;
}
