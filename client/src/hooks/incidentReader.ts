import * as Y from "yjs";
import {
  COLLECTIONS,
  type CollectionName,
  collection,
  incidentMap,
  metaMap,
  type RecordMap,
  richText,
} from "#shared/doc/fields.ts";
import {
  type IncidentDocument,
  isIncident,
  RECORD_SCHEMAS,
  readIncidentHead,
  readRichTextPlain,
  readRoles,
  readStreams,
  stillToRevert,
  streamsById,
  withRecordStreams,
} from "#shared/doc/index.ts";
import { byAt, compareText, inTimeOrder } from "#shared/doc/order.ts";
import { recordJSON, type Stored } from "#shared/doc/records.ts";
import { grownFacets, rememberFacets, timelineFacets } from "./timelineFacets.ts";

type Root = CollectionName | "incident" | "meta" | "description" | "notes";
const ROOTS: readonly Root[] = [...COLLECTIONS, "incident", "meta", "description", "notes"];

/** The timeline's order, as `readTimeline` sorts it. */
const timelineOrder = inTimeOrder<Stored<"timeline">>((a, b) => compareText(a.text, b.text));

/**
 * Reads the incident the way `readIncident` does, but incrementally: each root of the
 * document is watched on its own, a record is parsed (validated against its schema)
 * once and again only after a change inside it — cached by its Y.Map, which observeDeep
 * events name — and a section nothing touched keeps its array from the last read, so
 * React can skip it. A chat message costs one record parse and a re-sort of the timeline
 * (already nearly in order) instead of parsing 10,000 records.
 *
 * `onChange` is called after each transaction that changed something other than the
 * notes (the notes editor renders those itself; the notes are re-read at the next read).
 */
export class IncidentReader {
  private readonly parsed = new WeakMap<RecordMap, unknown>();
  private readonly sorted = new Map<CollectionName, unknown[]>();
  /** The keys of each collection changed since its last read (records added, removed or edited). */
  private readonly changedKeys = new Map<CollectionName, Set<string>>();
  /**
   * Of those, the keys whose first change since the last read added them to the
   * collection: none of them is in the last list read, so adding them needs no search.
   */
  private readonly freshKeys = new Map<CollectionName, Set<string>>();
  /** Which stream each record that can carry one is in, as the timeline's entries take it. */
  private recordStreams: Parameters<typeof withRecordStreams>[1] | null = null;
  private readonly dirty = new Set<Root>(ROOTS);
  private current: IncidentDocument | null = null;
  private readonly stops: (() => void)[] = [];
  private readonly doc: Y.Doc;

  constructor(doc: Y.Doc, onChange: () => void) {
    this.doc = doc;
    const touched = (root: Root) => {
      this.dirty.add(root);
      if (root !== "notes") onChange();
    };
    for (const name of COLLECTIONS) {
      const records = collection(doc, name);
      const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
        const keys = this.changedKeys.get(name) ?? new Set<string>();
        const fresh = this.freshKeys.get(name) ?? new Set<string>();
        for (const event of events) {
          if (event.target === records) {
            const changes = (event as Y.YMapEvent<RecordMap>).changes.keys;
            for (const key of (event as Y.YMapEvent<RecordMap>).keysChanged) {
              if (!keys.has(key) && changes.get(key)?.action === "add") fresh.add(key);
              keys.add(key);
            }
          } else {
            this.forget(records, event.target);
            if (typeof event.path[0] === "string") keys.add(event.path[0]);
          }
        }
        this.changedKeys.set(name, keys);
        this.freshKeys.set(name, fresh);
        touched(name);
      };
      records.observeDeep(handler);
      this.stops.push(() => records.unobserveDeep(handler));
    }
    for (const [root, type] of [
      ["incident", incidentMap(doc)],
      ["meta", metaMap(doc)],
      ["description", richText(doc, "description")],
      ["notes", richText(doc, "notes")],
    ] as const) {
      const handler = () => touched(root);
      type.observeDeep(handler);
      this.stops.push(() => type.unobserveDeep(handler));
    }
  }

  destroy(): void {
    for (const stop of this.stops) stop();
  }

  /**
   * The incident as plain data, or null while the document holds none. The same object
   * as last time when nothing changed since; otherwise a new one that shares every
   * section no change reached.
   */
  read(): IncidentDocument | null {
    const doc = this.doc;
    if (!isIncident(doc)) {
      this.current = null;
      return null;
    }
    const prev = this.current;
    if (prev && this.dirty.size === 0) return prev;
    /** The field as last read if none of `roots` changed since, else read afresh. */
    const field = <K extends keyof IncidentDocument>(
      key: K,
      roots: Root[],
      fresh: () => IncidentDocument[K],
    ): IncidentDocument[K] => (prev && !roots.some((r) => this.dirty.has(r)) ? prev[key] : fresh());

    const changes = field("changes", ["changes"], () => this.records("changes", byAt));
    const observations = field("observations", ["observations"], () =>
      this.records("observations", byAt),
    );
    const theories = field("theories", ["theories"], () => this.records("theories", byAt));
    const experiments = field("experiments", ["experiments"], () =>
      this.records("experiments", byAt),
    );
    const timeline = field(
      "timeline",
      ["timeline", "changes", "observations", "theories", "experiments"],
      () => {
        const streamsMoved =
          !this.recordStreams ||
          (["changes", "observations", "theories", "experiments"] as const).some((r) =>
            this.dirty.has(r),
          );
        if (streamsMoved)
          this.recordStreams = {
            observations: streamsById(observations),
            theories: streamsById(theories),
            experiments: streamsById(experiments),
            changes: streamsById(changes),
          };
        const streams = this.recordStreams as NonNullable<typeof this.recordStreams>;
        // Only new entries, and no record changed stream: the last timeline with them
        // put in, instead of tagging ten thousand entries again.
        const added = prev && !streamsMoved ? this.freshRecords("timeline") : null;
        const stored = this.records("timeline", timelineOrder);
        if (prev && added) {
          if (added.length === 0) return prev.timeline;
          const entries = withRecordStreams(added, streams);
          const result = insertSorted(prev.timeline.slice(), entries, timelineOrder);
          rememberFacets(result, grownFacets(timelineFacets(prev.timeline), entries));
          return result;
        }
        return withRecordStreams(stored, streams);
      },
    );
    const head =
      prev && !["incident", "meta", "roles"].some((r) => this.dirty.has(r as Root))
        ? prev
        : readIncidentHead(doc);
    const next: IncidentDocument = {
      schemaVersion: head.schemaVersion,
      key: head.key,
      summary: head.summary,
      description: field("description", ["description"], () =>
        readRichTextPlain(doc, "description"),
      ),
      severity: head.severity,
      status: head.status,
      service: head.service,
      products: head.products,
      times: head.times,
      assessment: head.assessment,
      incidentManager: head.incidentManager,
      roles: field("roles", ["roles", "streams"], () =>
        readRoles(doc).sort((a, b) => compareText(a.since, b.since)),
      ),
      links: field("links", ["links"], () => this.records("links")),
      timeline,
      changes,
      stillToRevert: field("stillToRevert", ["changes"], () =>
        stillToRevert(changes).map((c) => c.id),
      ),
      observations,
      theories,
      experiments,
      comms: field("comms", ["comms"], () => this.records("comms", byAt)),
      followUps: field("followUps", ["followUps"], () => this.records("followUps", byAt)),
      streams: field("streams", ["streams"], () => readStreams(doc)),
      pages: field("pages", ["pages"], () => this.records("pages", byAt)),
      publications: field("publications", ["publications"], () =>
        this.records("publications", byAt),
      ),
      notes: field("notes", ["notes"], () => readRichTextPlain(doc, "notes")),
      createdAt: head.createdAt,
      updatedAt: head.updatedAt,
    };
    this.dirty.clear();
    this.changedKeys.clear();
    this.freshKeys.clear();
    this.current = next;
    return next;
  }

  /**
   * Every valid record of a collection, as `readRecords` gives them (invalid ones and
   * ones stored under another key than their id left out), sorted by `order` if given.
   * Records parsed before and untouched since come from the cache.
   */
  private records<C extends CollectionName>(
    name: C,
    order?: (a: Stored<C>, b: Stored<C>) => number,
  ): Stored<C>[] {
    const last = this.sorted.get(name) as Stored<C>[] | undefined;
    const keys = this.changedKeys.get(name);
    // A few records changed (a chat message came in): patch the last list rather than
    // walking the whole collection. Every record in it is stored under its own id.
    if (order && last && keys && keys.size * 8 < last.length) {
      const result = this.patched(name, last, keys, order);
      this.sorted.set(name, result);
      return result;
    }
    const out: Stored<C>[] = [];
    collection(this.doc, name).forEach((map, key) => {
      const record = this.parse(name, key, map);
      if (record) out.push(record);
    });
    // V8 sorts with TimSort, near linear on runs already in order, and records are mostly
    // stored in the order they were written: re-sorting 10,000 entries costs little.
    if (order) out.sort(order);
    const result = last && sameItems(last, out) ? last : out;
    this.sorted.set(name, result);
    return result;
  }

  /**
   * The valid records added since the last read, if that is all that changed in the
   * collection (a chat message came in); null if a record already read changed or went.
   */
  private freshRecords<C extends CollectionName>(name: C): Stored<C>[] | null {
    const keys = this.changedKeys.get(name);
    if (!keys) return [];
    const fresh = this.freshKeys.get(name);
    if (!this.sorted.has(name) || !fresh || fresh.size !== keys.size) return null;
    const records = collection(this.doc, name);
    const out: Stored<C>[] = [];
    for (const key of fresh) {
      const record = this.parse(name, key, records.get(key));
      if (record) out.push(record);
    }
    return out;
  }

  /** `last` with the records under `keys` taken out and, where still valid, put back in order. */
  private patched<C extends CollectionName>(
    name: C,
    last: Stored<C>[],
    keys: Set<string>,
    order: (a: Stored<C>, b: Stored<C>) => number,
  ): Stored<C>[] {
    const added = this.freshRecords(name);
    // Only new records: none of them is in the last list, so no search for them there.
    if (added) return added.length === 0 ? last : insertSorted(last.slice(), added, order);
    const records = collection(this.doc, name);
    const out = last.filter((record) => !keys.has(record.id));
    const back: Stored<C>[] = [];
    for (const key of keys) {
      const record = this.parse(name, key, records.get(key));
      if (record) back.push(record);
    }
    insertSorted(out, back, order);
    return sameItems(last, out) ? last : out;
  }

  private parse<C extends CollectionName>(
    name: C,
    key: string,
    value: unknown,
  ): Stored<C> | undefined {
    if (!(value instanceof Y.Map)) return undefined;
    if (this.parsed.has(value)) return (this.parsed.get(value) as Stored<C> | null) ?? undefined;
    const result = RECORD_SCHEMAS[name].safeParse(recordJSON(value));
    const record = result.success && result.data.id === key ? (result.data as Stored<C>) : null;
    this.parsed.set(value, record);
    return record ?? undefined;
  }

  /** Drops the cached parse of the record `target` is part of (a record map or something inside one). */
  private forget(records: Y.Map<RecordMap>, target: Y.AbstractType<unknown>): void {
    let type: Y.AbstractType<unknown> | null = target;
    while (type && type !== records) {
      const parent = (type._item?.parent ?? null) as Y.AbstractType<unknown> | null;
      if (parent === records) {
        this.parsed.delete(type as RecordMap);
        return;
      }
      type = parent;
    }
  }
}

/** Puts each of `records` into `out`, which is in `order`, after the ones that sort equal. */
function insertSorted<T>(out: T[], records: readonly T[], order: (a: T, b: T) => number): T[] {
  for (const record of records) {
    // Binary search for the first record that sorts after this one.
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order(out[mid], record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, record);
  }
  return out;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
