import { type Principal, SYSTEM_PRINCIPAL } from "#shared/access.ts";
import { publishedBody } from "#shared/comms/updateText.ts";
import {
  type IncidentDocument,
  markCommsSent,
  type PublicationRecord,
  type PublishDestination,
  publicationId,
  readPublication,
  savePublication,
} from "#shared/doc/index.ts";
import type { PagingOptions } from "#shared/paging.ts";
import { authorize } from "../access/authorize.ts";
import type { DeliveryClaims } from "../bridge/DeliveryClaims.ts";
import { HotdocError } from "../errors.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";
import type { Logger } from "../logger.ts";
import { type Audience, ProviderError, type Publisher, type PublishRequest } from "./types.ts";

const DESTINATION_NAMES: Record<PublishDestination, string> = {
  statuspage: "Statuspage",
  email: "email",
  webhook: "status webhook",
};

/**
 * Publishes comms updates exactly as drafted to every destination their audience has
 * (internal: the internal Statuspage page, the email list, the status webhook; external:
 * the external Statuspage page, the status webhook), and posts a final "resolved" update
 * to the Statuspage incidents when the incident is resolved.
 *
 * Idempotent by draft: each draft goes to each destination once (the publication's id is
 * the draft's id and the destination, claimed in the store while it is sent); a failed
 * destination is shown with the provider's reason and is retried by publishing again,
 * which leaves the sent ones alone. The draft is marked sent once one destination took it.
 */
export class PublishService {
  private readonly publishers: Publisher[];
  private readonly incidents: IncidentService;
  private readonly claims: DeliveryClaims;
  private readonly publicUrl: () => string;
  private readonly logger: Logger;

  constructor(options: {
    publishers: Publisher[];
    incidents: IncidentService;
    claims: DeliveryClaims;
    publicUrl: () => string;
    logger: Logger;
  }) {
    this.publishers = options.publishers;
    this.incidents = options.incidents;
    this.claims = options.claims;
    this.publicUrl = options.publicUrl;
    this.logger = options.logger;
  }

  /** Where each audience's updates go. */
  destinations(): PagingOptions["publishing"] {
    return {
      internal: this.for("internal").map((p) => p.destination),
      external: this.for("external").map((p) => p.destination),
    };
  }

  async publish(key: string, commsId: string, principal: Principal): Promise<PublicationRecord[]> {
    authorize(principal, "edit", key);
    const incident = await this.incidents.read(key);
    const update = incident.comms.find((c) => c.id === commsId);
    if (!update) throw new HotdocError("record_not_found", `no comms update ${commsId}`, "id");
    const publishers = this.for(update.audience);
    if (publishers.length === 0)
      throw new HotdocError(
        "publishing_not_configured",
        `nowhere to publish ${update.audience} updates: configure Statuspage, email or a status webhook (README › Paging and status pages)`,
      );
    const body = publishedBody(update);
    if (!body.trim())
      throw new HotdocError("nothing_to_publish", "the update has no text to publish yet");
    const results: PublicationRecord[] = [];
    for (const publisher of publishers) {
      results.push(
        await this.publishTo(incident, publisher, {
          idPart: commsId,
          commsId,
          audience: update.audience,
          title: update.title,
          body,
          author: principal.name,
        }),
      );
    }
    const sentTo = results.filter((r) => r.state === "sent").map((r) => label(r));
    if (sentTo.length > 0 && update.state !== "sent") {
      await this.incidents.write(key, principal, (doc, actor) =>
        markCommsSent(doc, commsId, actor, sentTo.join(", ")),
      );
    }
    return results;
  }

  /**
   * The incident was resolved: every status page that carries it gets a final "resolved"
   * update, once. Never throws (a failure is in the publication record and the logs).
   */
  async publishResolved(key: string): Promise<void> {
    try {
      const incident = await this.incidents.read(key);
      for (const audience of ["internal", "external"] as const) {
        for (const publisher of this.for(audience)) {
          if (publisher.destination !== "statuspage") continue;
          const opened = incident.publications.some(
            (p) =>
              p.audience === audience &&
              p.destination === "statuspage" &&
              p.state === "sent" &&
              p.providerIncidentId,
          );
          if (!opened) continue;
          const body =
            audience === "internal"
              ? `${incident.key} is resolved: ${incident.summary}. The postmortem follows in hotdoc.`
              : "This incident has been resolved. Thank you for your patience.";
          await this.publishTo(incident, publisher, {
            idPart: `final-${audience}`,
            audience,
            title: "",
            body,
            author: "hotdoc",
            status: "resolved",
          });
        }
      }
    } catch (error) {
      this.logger.error({ incident: key, err: error }, "final status-page update failed");
    }
  }

  private for(audience: Audience): Publisher[] {
    return this.publishers.filter((p) => p.audiences().includes(audience));
  }

  private async publishTo(
    incident: IncidentDocument,
    publisher: Publisher,
    what: {
      idPart: string;
      commsId?: string;
      audience: Audience;
      title: string;
      body: string;
      author: string;
      status?: PublishRequest["status"];
    },
  ): Promise<PublicationRecord> {
    const key = incident.key;
    const id = publicationId(what.idPart, publisher.destination);
    const existing = incident.publications.find((p) => p.id === id);
    if (existing?.state === "sent") return existing;
    const earlier = incident.publications
      .filter(
        (p) =>
          p.audience === what.audience &&
          p.destination === publisher.destination &&
          p.state === "sent" &&
          p.providerIncidentId,
      )
      .at(-1);
    const request: PublishRequest = {
      incidentKey: key,
      audience: what.audience,
      title: what.title,
      body: what.body,
      status: what.status ?? statusFor(incident),
      products: incident.products,
      incidentUrl: `${this.publicUrl()}/${key}`,
      publicationId: `${key}.${id}`,
      ...(earlier?.providerIncidentId ? { providerIncidentId: earlier.providerIncidentId } : {}),
    };
    const outcome = await this.claims
      .once(`publish:${key}:${id}`, async () => {
        const base: PublicationRecord = {
          id,
          ...(what.commsId ? { commsId: what.commsId } : {}),
          audience: what.audience,
          destination: publisher.destination,
          state: "sending",
          at: existing?.at ?? new Date().toISOString(),
          author: what.author,
          attempts: (existing?.attempts ?? 0) + 1,
          title: what.title,
          text: what.body,
        };
        await this.write(key, (doc) => savePublication(doc, { ...base, error: undefined }));
        try {
          const published = await publisher.publish(request);
          const record: PublicationRecord = {
            ...base,
            state: "sent",
            sentAt: new Date().toISOString(),
            ...(published.providerId ? { providerId: published.providerId } : {}),
            ...(published.providerIncidentId
              ? { providerIncidentId: published.providerIncidentId }
              : request.providerIncidentId
                ? { providerIncidentId: request.providerIncidentId }
                : {}),
            ...(published.url && /^https?:\/\//.test(published.url) ? { url: published.url } : {}),
          };
          await this.write(key, (doc) => savePublication(doc, record));
          this.logger.info(
            { incident: key, destination: publisher.destination, audience: what.audience },
            "update published",
          );
          return record;
        } catch (error) {
          const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
          this.logger.warn(
            {
              incident: key,
              destination: publisher.destination,
              audience: what.audience,
              error: message,
              credentialsRejected: error instanceof ProviderError && error.credentialsRejected,
            },
            "publishing failed",
          );
          const record: PublicationRecord = { ...base, state: "failed", error: message };
          await this.write(key, (doc) => savePublication(doc, record));
          throw new PublishFailed(record);
        }
      })
      .catch((error: unknown) => {
        if (error instanceof PublishFailed) return error.record;
        throw error;
      });
    if (outcome === "duplicate") {
      return (
        (await this.incidents.withDoc(key, (doc) => readPublication(doc, id))) ??
        (existing as PublicationRecord)
      );
    }
    return outcome;
  }

  private async write(key: string, change: Parameters<IncidentService["write"]>[2]) {
    return this.incidents.write(key, SYSTEM_PRINCIPAL, change);
  }
}

class PublishFailed extends Error {
  readonly record: PublicationRecord;
  constructor(record: PublicationRecord) {
    super(record.error ?? "publishing failed");
    this.record = record;
  }
}

/** hotdoc's status as a status page's: new → investigating, fixing → identified, resolved/closed → resolved. */
function statusFor(incident: IncidentDocument): PublishRequest["status"] {
  if (incident.status === "resolved" || incident.status === "closed") return "resolved";
  return incident.status === "fixing" ? "identified" : "investigating";
}

function label(record: PublicationRecord): string {
  const name = DESTINATION_NAMES[record.destination];
  return record.destination === "statuspage" ? `${name} (${record.audience})` : name;
}
