import { z } from "zod";
import type { PageRecord, PublicationRecord } from "./doc/schema.ts";
import type { PageProvider, PublishDestination } from "./doc/vocabulary.ts";

/**
 * The paging and publishing API between the page and the server:
 * - `GET  /api/paging`                                 → PagingOptions (who can be paged, where updates go)
 * - `POST /api/incidents/:key/pages`        EscalateInput → PagesAnswer (pages the team now; a failed page is
 *    sent again, a sent one is not)
 * - `POST /api/incidents/:key/comms/:id/publish` {}    → PublicationsAnswer (publishes the update to every
 *    destination its audience has; a sent destination is not posted again, a failed one is retried)
 * A provider that fails does not fail the request: the record says `failed` with the provider's reason.
 */

export const EscalateInput = z
  .object({
    team: z.string().trim().min(1).max(200),
    /** Why this team is needed: it goes on the page. */
    note: z.string().trim().min(1, "say why the team is needed").max(1000),
  })
  .strict();
export type EscalateInput = z.infer<typeof EscalateInput>;

export const PublishInput = z.object({}).strict();

interface PagingTeamOption {
  name: string;
  providers: PageProvider[];
}

export interface PagingOptions {
  /** Teams a responder can escalate to (empty: paging is not configured). */
  teams: PagingTeamOption[];
  /** Declaring at this severity or more severe (1..n) pages the IM rota; 0: declarations page nobody. */
  minSeverity: number;
  /** Where each audience's updates are published (empty: publishing is not configured for it). */
  publishing: { internal: PublishDestination[]; external: PublishDestination[] };
  /** Minutes after an update with no stated next-update time that the next is due. */
  cadenceMinutes: number;
}

export interface PagesAnswer {
  pages: PageRecord[];
}

export interface PublicationsAnswer {
  publications: PublicationRecord[];
}
