import type { EscalateInput, PagesAnswer, PublicationsAnswer } from "#shared/paging.ts";
import { apiFetch } from "./api.ts";

/** Pages `team` for the incident now (`POST /api/incidents/:key/pages`); a failed page is sent again. */
export function pageTeam(incidentKey: string, input: EscalateInput): Promise<PagesAnswer> {
  return apiFetch<PagesAnswer>(`/api/incidents/${encodeURIComponent(incidentKey)}/pages`, {
    method: "POST",
    body: JSON.stringify(input),
  });
}

/**
 * Publishes a saved comms update to every destination of its audience
 * (`POST /api/incidents/:key/comms/:id/publish`); a destination it already reached is
 * not posted again, a failed one is retried.
 */
export function publishComms(incidentKey: string, commsId: string): Promise<PublicationsAnswer> {
  return apiFetch<PublicationsAnswer>(
    `/api/incidents/${encodeURIComponent(incidentKey)}/comms/${encodeURIComponent(commsId)}/publish`,
    { method: "POST", body: "{}" },
  );
}
