import type { Hocuspocus } from "@hocuspocus/server";
import * as Y from "yjs";
import { type Action, bridgePrincipal, type Principal } from "#shared/access.ts";
import {
  type Actor,
  applyTimelineRemovals,
  CHAT_SOURCES,
  type IncidentCreateInput,
  type IncidentDocument,
  IncidentKeySchema,
  type IncidentSummary,
  initIncident,
  readIncident,
  readIncidentSummary,
  type Source,
  timelineRemovals,
} from "#shared/doc/index.ts";
import type { IncidentListItem } from "#shared/incidentList.ts";
import { authorize } from "../access/authorize.ts";
import type { HotdocContext } from "../access/origins.ts";
import { HotdocError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { HistoryCompactedError } from "../storage/records.ts";
import type { Stores } from "../storage/stores.ts";

/** What the persistence layer tells a server-side write (the composition root passes PersistenceExtension). */
export interface WriteDurability {
  /** Throws store_unavailable while the document holds an update the store refused. */
  assertWritable(name: string): void;
  /** Resolves once every update applied to the document so far is durable; throws store_unavailable if one was not. */
  whenDurable(name: string): Promise<void>;
}

/** The document limits, for a server-side write (DocumentLimitsExtension). */
export interface WriteLimits {
  /** The document_too_large error a write to this loaded document gets, or null if it may go ahead. */
  refuseWrite(name: string): HotdocError | null;
}

/**
 * Server-side reads and writes of incident documents. Writes go through a
 * Hocuspocus direct connection (so connected clients see them at once) with the
 * acting principal as origin, and return only once the update is durable.
 */
export class IncidentService {
  private readonly hocuspocus: Hocuspocus;
  private readonly stores: Pick<Stores, "log" | "incidents">;
  private readonly persistence: WriteDurability;
  private readonly documentLimits?: WriteLimits;
  private readonly keyPrefix: string;
  private readonly logger: Logger;
  private readonly declared?: (key: string, principal: Principal) => void;

  constructor(options: {
    hocuspocus: Hocuspocus;
    stores: Pick<Stores, "log" | "incidents">;
    persistence: WriteDurability;
    /** Refuses writes to a document at its size or record limit (413 document_too_large). */
    documentLimits?: WriteLimits;
    keyPrefix: string;
    logger: Logger;
    /** Told once a new incident is durable (hot rooms open then). */
    declared?: (key: string, principal: Principal) => void;
  }) {
    this.hocuspocus = options.hocuspocus;
    this.stores = options.stores;
    this.persistence = options.persistence;
    this.documentLimits = options.documentLimits;
    this.keyPrefix = options.keyPrefix;
    this.logger = options.logger;
    this.declared = options.declared;
  }

  /** Declares a new incident with the next free key. */
  async create(
    input: IncidentCreateInput,
    principal: Principal,
    now: Date = new Date(),
  ): Promise<IncidentDocument> {
    authorize(principal, "create_incident");
    const key = await this.stores.incidents.createIncident(this.keyPrefix, now.getTime());
    // A chat declaration writes the new incident as that incident's bridge, in the declarer's name.
    const writer =
      principal.role === "bridge"
        ? {
            ...bridgePrincipal(principal.subject.replace(/^bridge:/, ""), key),
            name: principal.name,
          }
        : principal;
    const document = await this.write(
      key,
      writer,
      (doc, actor) => {
        initIncident(doc, { ...input, key, actor, now });
        return readIncident(doc);
      },
      principal.role === "bridge" ? "bridge" : "edit",
    );
    this.logger.info(
      { incident: key, who: principal.subject, severity: input.severity },
      "incident declared",
    );
    this.declared?.(key, principal);
    return document;
  }

  /**
   * Runs `change` on the incident's document as one transaction by `principal`, if the
   * policy lets it do `action` there (`bridge`: what a chat delivery writes); resolves
   * once durable.
   */
  async write<T>(
    key: string,
    principal: Principal,
    change: (doc: Y.Doc, actor: Actor) => T,
    action: Extract<Action, "edit" | "bridge"> = "edit",
  ): Promise<T> {
    authorize(principal, action, key);
    await this.requireIncident(key);
    const context: HotdocContext = { principal };
    const connection = await this.hocuspocus.openDirectConnection(key, context);
    const actor: Actor = { name: principal.name, source: sourceOf(principal) };
    let result: T | undefined;
    let durable = false;
    let refusedUnchanged = false;
    try {
      this.persistence.assertWritable(key);
      // Checked once the document is loaded (its size is tracked from the load on).
      const full = this.documentLimits?.refuseWrite(key);
      if (full) {
        refusedUnchanged = true;
        throw full;
      }
      await connection.transact((doc) => {
        result = change(doc, actor);
      });
      await this.persistence.whenDurable(key);
      durable = true;
    } finally {
      // Keep the document warm for a few seconds (until the debounced store hook runs):
      // a burst of chat messages or API calls then loads it from the store once. After a
      // failed write it is unloaded at once, so the next attempt starts from the store
      // (not after a refusal for size: nothing was written).
      await connection.disconnect({ unloadImmediately: !durable && !refusedUnchanged });
    }
    return result as T;
  }

  /** The incident's document as JSON, from memory when loaded, else from the store. */
  async read(key: string): Promise<IncidentDocument> {
    return this.withDoc(key, readIncident);
  }

  /** Runs a read-only function on the current document. */
  async withDoc<T>(key: string, read: (doc: Y.Doc) => T): Promise<T> {
    await this.requireIncident(key);
    const live = this.hocuspocus.documents.get(key);
    if (live && !live.isLoading) return read(live);
    const doc = new Y.Doc();
    try {
      const state = await this.stores.log.loadState(key);
      if (state) Y.applyUpdate(doc, state);
      return read(doc);
    } finally {
      doc.destroy();
    }
  }

  /** Incidents in progress first (by severity, newest first), then resolved and closed ones. */
  async list(): Promise<IncidentListItem[]> {
    const stored = await this.stores.incidents.listIncidents();
    const items: IncidentListItem[] = [];
    for (const incident of stored) {
      const live = this.hocuspocus.documents.get(incident.key);
      let summary: IncidentSummary | null =
        live && !live.isLoading ? readIncidentSummary(live) : incident.summary;
      if (!summary?.key) summary = await this.withDoc(incident.key, readIncidentSummary);
      if (!summary.key) continue;
      items.push({
        ...summary,
        active: summary.status === "new" || summary.status === "fixing",
        lastActivityAt: new Date(incident.lastActivityAt).toISOString(),
      });
    }
    return items.sort((a, b) => {
      if (a.active !== b.active) return a.active ? -1 : 1;
      if (a.active && a.severity !== b.severity) return a.severity - b.severity;
      return (b.createdAt ?? "").localeCompare(a.createdAt ?? "");
    });
  }

  /**
   * The document as it stood at `at` (epoch ms), rebuilt from the stored update log,
   * except that timeline text removed since (a pasted secret) stays removed: the
   * rebuilt document says who removed it and why instead. Throws history_compacted
   * before the kept history, and incident_not_found before the incident existed.
   */
  async withDocAt<T>(key: string, at: number, read: (doc: Y.Doc) => T): Promise<T> {
    await this.requireIncident(key);
    const removals = await this.withDoc(key, timelineRemovals);
    let state: Uint8Array | null;
    try {
      state = await this.stores.log.loadState(key, { at });
    } catch (error) {
      if (error instanceof HistoryCompactedError) {
        throw new HotdocError(
          "history_compacted",
          `${error.message}; the earliest instant kept is ${new Date(error.historyStart).toISOString()}`,
        );
      }
      throw error;
    }
    if (!state)
      throw new HotdocError(
        "incident_not_found",
        `${key} did not exist yet at ${new Date(at).toISOString()}`,
      );
    // A fresh Y.Doc collects garbage: once blanked, the removed text is in no state encoded from it.
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, state);
      applyTimelineRemovals(doc, removals);
      return read(doc);
    } finally {
      doc.destroy();
    }
  }

  /** From when the document can be rebuilt exactly (epoch ms). */
  async historyStart(key: string): Promise<number | null> {
    await this.requireIncident(key);
    return this.stores.log.historyStart(key);
  }

  async requireIncident(key: string): Promise<void> {
    if (
      !IncidentKeySchema.safeParse(key).success ||
      !(await this.stores.incidents.incidentExists(key))
    ) {
      throw new HotdocError("incident_not_found", `no incident ${key}`);
    }
  }
}

/** Where a principal's writes come from, for the timeline: the server, a chat platform's bridge, or the API. */
function sourceOf(principal: Principal): Source {
  if (principal.role === "system") return "system";
  const platform = principal.role === "bridge" ? principal.subject.replace(/^bridge:/, "") : "";
  return (CHAT_SOURCES as readonly string[]).includes(platform) ? (platform as Source) : "api";
}
