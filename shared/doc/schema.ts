import { z } from "zod";
import {
  CHANGE_STATES,
  CHAT_SOURCES,
  COMMS_AUDIENCES,
  COMMS_STATES,
  EXPERIMENT_STATES,
  FOLLOW_UP_KINDS,
  LINK_KINDS,
  PAGE_PROVIDERS,
  PAGE_REASONS,
  PAGE_STATES,
  PUBLISH_DESTINATIONS,
  PUBLISH_STATES,
  ROLE_KINDS,
  SOURCES,
  STATUSES,
  STREAM_STATES,
  THEORY_STATES,
  TIMELINE_KINDS,
} from "./vocabulary.ts";

/**
 * zod schemas for everything stored in the incident document. The `*Record`
 * schemas describe what is stored; the `*Input` schemas describe what a write
 * from outside a CRDT client (REST, chat, CLI) may carry. Both are checked
 * before anything touches a Y.Doc.
 */

export const SeveritySchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export const StatusSchema = z.enum(STATUSES);
const SourceSchema = z.enum(SOURCES);
const TimelineKindSchema = z.enum(TIMELINE_KINDS);

/** ISO-8601 instant with an offset, normalised to UTC millisecond precision by the accessors. */
export const InstantSchema = z.iso.datetime({ offset: true });

const text = (max: number) => z.string().trim().max(max);
const requiredText = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);
export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, "ids use letters, digits and . _ : @ -");

export const IncidentKeySchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{0,15}-[1-9][0-9]{0,9}$/, "an incident key looks like HOT-12");

export const UrlSchema = z.url({ protocol: /^https?$/ }).max(2000);

export const ActorSchema = z.object({
  name: requiredText(200),
  source: SourceSchema,
});
export type Actor = z.infer<typeof ActorSchema>;

/** The incident's scalar fields as an outside writer may set them. */
export const IncidentFieldsInput = z
  .object({
    summary: requiredText(300),
    description: text(20_000),
    severity: SeveritySchema,
    service: text(200),
    products: z.array(requiredText(200)).max(50),
    startedAt: InstantSchema.nullable(),
    detectedAt: InstantSchema.nullable(),
    endedAt: InstantSchema.nullable(),
    customersSeeing: text(2000),
    customersAffected: text(2000),
    supportCases: text(2000),
    otherFactors: text(2000),
  })
  .partial()
  .strict();
export type IncidentFieldsInput = z.infer<typeof IncidentFieldsInput>;

export const IncidentCreateInput = z
  .object({
    summary: requiredText(300),
    severity: SeveritySchema,
    description: text(20_000).optional(),
    service: text(200).optional(),
    products: z.array(requiredText(200)).max(50).optional(),
    startedAt: InstantSchema.optional(),
    detectedAt: InstantSchema.optional(),
  })
  .strict();
export type IncidentCreateInput = z.infer<typeof IncidentCreateInput>;

const ExternalRefSchema = z
  .object({
    platform: z.enum(CHAT_SOURCES),
    channel: text(300),
    messageId: requiredText(300),
    /** The platform's id of the message's author, so an edit by anyone else is told apart whatever names are shown. */
    authorId: text(300).optional(),
    threadId: text(300).optional(),
    permalink: UrlSchema.optional(),
  })
  .strict();

const RecordRefSchema = z
  .object({
    collection: z.enum([
      "changes",
      "observations",
      "theories",
      "experiments",
      "comms",
      "followUps",
      "roles",
      "pages",
      "publications",
    ]),
    id: IdSchema,
  })
  .strict();

/**
 * One correction a person made to a timeline entry in hotdoc: who, when, what kind,
 * the reason for a removal, and the old time of a re-timing. Never the old text: a
 * correction is often made because the text must go (a pasted secret).
 */
const TimelineCorrectionRecord = z.object({
  by: name,
  at: InstantSchema,
  action: z.enum(["edited", "retimed", "deleted", "key", "unkey"]),
  reason: text(2000).optional(),
  from: InstantSchema.optional(),
});
export type TimelineCorrection = z.infer<typeof TimelineCorrectionRecord>;

/** Who removed an entry's text in hotdoc, when and why (the text itself is gone). */
const TimelineRemovalRecord = z.object({
  by: name,
  at: InstantSchema,
  reason: requiredText(2000),
});
export type TimelineRemoval = z.infer<typeof TimelineRemovalRecord>;

const TimelineEntryRecord = z
  .object({
    id: IdSchema,
    at: InstantSchema,
    author: name,
    source: SourceSchema,
    kind: TimelineKindSchema,
    text: z.string().max(40_000),
    pinned: z.boolean(),
    ref: RecordRefSchema.optional(),
    external: ExternalRefSchema.optional(),
    /** The last edit, made at the source (chat) or in hotdoc. */
    editedAt: InstantSchema.optional(),
    /** Deleted at the source, or removed in hotdoc (then `removal` says by whom and why). */
    deleted: z.boolean().optional(),
    streamId: IdSchema.optional(),
    // The two fields below came later; entries stored before them read as never corrected.
    // A CRDT client can write anything into them: a malformed correction is skipped and a
    // malformed removal ignored, rather than the whole entry disappearing from the timeline.
    /** hotdoc's corrections of the entry, oldest first. */
    corrections: z
      .array(z.unknown())
      .max(10_000)
      .catch([])
      .transform((items) =>
        items.flatMap((item) => {
          const parsed = TimelineCorrectionRecord.safeParse(item);
          return parsed.success ? [parsed.data] : [];
        }),
      )
      .optional(),
    removal: TimelineRemovalRecord.optional().catch(undefined),
  })
  // A removed entry reads blank whatever its stored text says. Removal blanks the text,
  // but an edit made concurrently (offline, before the removal reached that person)
  // writes `text` too, and when both meet the edit may win; the server blanks it again
  // (keepRemovedTextBlank), and until then no reader — page, REST, exports — shows it.
  .transform((entry) => (entry.removal ? { ...entry, text: "", deleted: true } : entry));
export type TimelineEntry = z.infer<typeof TimelineEntryRecord>;

export const TimelineEntryInput = z
  .object({
    id: IdSchema.optional(),
    at: InstantSchema.optional(),
    author: requiredText(200),
    source: SourceSchema.optional(),
    kind: TimelineKindSchema.default("note"),
    text: requiredText(40_000),
    pinned: z.boolean().default(false),
    ref: RecordRefSchema.optional(),
    external: ExternalRefSchema.optional(),
    streamId: IdSchema.optional(),
  })
  .strict();
export type TimelineEntryInput = z.input<typeof TimelineEntryInput>;

/** A correction of an entry's text, time or key-event mark from the page; only what is given changes. */
export const TimelineCorrectionInput = z
  .object({
    text: requiredText(40_000).optional(),
    at: InstantSchema.optional(),
    pinned: z.boolean().optional(),
  })
  .strict();
export type TimelineCorrectionInput = z.input<typeof TimelineCorrectionInput>;

/** Removing an entry's text from the page: a reason is required (it stays where the text was). */
export const TimelineRemovalInput = z.object({ reason: requiredText(2000) }).strict();
export type TimelineRemovalInput = z.input<typeof TimelineRemovalInput>;

const RoleRecord = z.object({
  id: IdSchema,
  role: z.enum(ROLE_KINDS),
  label: name.optional(),
  holder: requiredText(200),
  since: InstantSchema,
  streamId: IdSchema.optional(),
});
export type RoleAssignment = z.infer<typeof RoleRecord>;

export const RoleInput = z
  .object({
    role: z.enum(ROLE_KINDS),
    holder: requiredText(200),
    label: requiredText(200).optional(),
    streamId: IdSchema.optional(),
  })
  .strict()
  .refine((r) => r.role !== "custom" || r.label, {
    message: "a custom role needs a label",
    path: ["label"],
  });
export type RoleInput = z.input<typeof RoleInput>;

const LinkRecord = z.object({
  id: IdSchema,
  kind: z.enum(LINK_KINDS),
  label: name,
  url: UrlSchema,
});
export type IncidentLink = z.infer<typeof LinkRecord>;
export const LinkInput = LinkRecord.omit({ id: true })
  .extend({ label: name.default("") })
  .strict();
export type LinkInput = z.input<typeof LinkInput>;

export const ChangeRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  what: requiredText(2000),
  how: text(4000),
  why: text(4000),
  revertSteps: text(8000),
  state: z.enum(CHANGE_STATES),
  theoryId: IdSchema.optional(),
  experimentId: IdSchema.optional(),
  updatedAt: InstantSchema,
  streamId: IdSchema.optional(),
});
export type ChangeEntry = z.infer<typeof ChangeRecord>;
export const ChangeInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    /** Where the record came from, for its timeline entry (a chat platform, the editor…). */
    source: SourceSchema.optional(),
    what: requiredText(2000),
    how: text(4000).default(""),
    why: text(4000).default(""),
    revertSteps: text(8000).default(""),
    state: z.enum(CHANGE_STATES).default("applied"),
    theoryId: IdSchema.optional(),
    experimentId: IdSchema.optional(),
    streamId: IdSchema.optional(),
  })
  .strict();
export type ChangeInput = z.input<typeof ChangeInput>;

export const ObservationRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  text: requiredText(8000),
  confirmed: z.boolean(),
  streamId: IdSchema.optional(),
});
export type Observation = z.infer<typeof ObservationRecord>;
export const ObservationInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    /** Where the record came from, for its timeline entry (a chat platform, the editor…). */
    source: SourceSchema.optional(),
    text: requiredText(8000),
    confirmed: z.boolean().default(false),
    streamId: IdSchema.optional(),
  })
  .strict();
export type ObservationInput = z.input<typeof ObservationInput>;

export const TheoryRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  text: requiredText(8000),
  state: z.enum(THEORY_STATES),
  // Stored records are bounded too (a CRDT client can write anything); generously, so no
  // record a person made is dropped: the input allows 100 links per write.
  observationIds: z.array(IdSchema).max(1000),
  streamId: IdSchema.optional(),
});
export type Theory = z.infer<typeof TheoryRecord>;
export const TheoryInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    /** Where the record came from, for its timeline entry (a chat platform, the editor…). */
    source: SourceSchema.optional(),
    text: requiredText(8000),
    state: z.enum(THEORY_STATES).default("open"),
    observationIds: z.array(IdSchema).max(100).default([]),
    streamId: IdSchema.optional(),
  })
  .strict();
export type TheoryInput = z.input<typeof TheoryInput>;

export const ExperimentRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  text: requiredText(8000),
  theoryId: IdSchema.optional(),
  state: z.enum(EXPERIMENT_STATES),
  outcome: text(8000),
  streamId: IdSchema.optional(),
});
export type Experiment = z.infer<typeof ExperimentRecord>;
export const ExperimentInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    /** Where the record came from, for its timeline entry (a chat platform, the editor…). */
    source: SourceSchema.optional(),
    text: requiredText(8000),
    theoryId: IdSchema.optional(),
    state: z.enum(EXPERIMENT_STATES).default("planned"),
    outcome: text(8000).default(""),
    streamId: IdSchema.optional(),
  })
  .strict();
export type ExperimentInput = z.input<typeof ExperimentInput>;

export const CommsRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  audience: z.enum(COMMS_AUDIENCES),
  state: z.enum(COMMS_STATES),
  title: text(400),
  summary: text(2000),
  // The draft editor keeps one item per line it was given; bounded well above any draft.
  currentStatus: z.array(text(1000)).max(200),
  nextSteps: z.array(text(1000)).max(200),
  nextUpdate: text(400),
  channel: text(400),
  sentAt: InstantSchema.optional(),
});
export type CommsUpdate = z.infer<typeof CommsRecord>;
export const CommsInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    audience: z.enum(COMMS_AUDIENCES),
    state: z.enum(COMMS_STATES).default("draft"),
    title: text(400).default(""),
    summary: text(2000).default(""),
    currentStatus: z.array(text(1000)).max(10).default([]),
    nextSteps: z.array(text(1000)).max(10).default([]),
    nextUpdate: text(400).default(""),
    channel: text(400).default(""),
  })
  .strict();
export type CommsInput = z.input<typeof CommsInput>;

export const FollowUpRecord = z.object({
  id: IdSchema,
  at: InstantSchema,
  author: name,
  text: requiredText(4000),
  owner: text(200),
  kind: z.enum(FOLLOW_UP_KINDS),
  done: z.boolean(),
  url: UrlSchema.optional(),
  streamId: IdSchema.optional(),
});
export type FollowUp = z.infer<typeof FollowUpRecord>;
export const FollowUpInput = z
  .object({
    at: InstantSchema.optional(),
    author: requiredText(200),
    text: requiredText(4000),
    owner: text(200).default(""),
    kind: z.enum(FOLLOW_UP_KINDS).default("action_item"),
    done: z.boolean().default(false),
    url: UrlSchema.optional(),
    streamId: IdSchema.optional(),
  })
  .strict();
export type FollowUpInput = z.input<typeof FollowUpInput>;

/**
 * A stream's name as a person gives it. Chat refers to a stream by its name in
 * brackets (`obs [db failover]: …`), so a name holds no brackets and stays on one line.
 */
export const StreamNameSchema = requiredText(200).regex(
  /^[^[\]\r\n]+$/,
  "a stream name has no brackets and no line breaks",
);

/**
 * A stream of work with its tech lead. `state` and the times came after the first
 * streams were stored, so a stream without them reads as active. The name is held to
 * what a person may give, so a stream written by a CRDT client can be named in chat
 * (or is not read at all). `leadSince` is when the current lead took over.
 */
const StreamRecord = z.object({
  id: IdSchema,
  name: StreamNameSchema,
  techLead: text(200),
  state: z.enum(STREAM_STATES).default("active"),
  at: InstantSchema.optional(),
  author: name.optional(),
  endedAt: InstantSchema.optional(),
  leadSince: InstantSchema.optional(),
});
export type WorkStream = z.infer<typeof StreamRecord>;

export const StreamInput = z
  .object({
    name: StreamNameSchema,
    /** The tech lead; empty for a stream nobody leads yet. */
    techLead: text(200).default(""),
    at: InstantSchema.optional(),
  })
  .strict();
export type StreamInput = z.input<typeof StreamInput>;

/**
 * One page hotdoc sent (or is sending) about the incident through one provider to one
 * team's on-call: why, what became of it, and the provider's own error when it failed.
 * The server writes these (paging is server-side); the header shows them. The id is
 * `<team slug>.<provider>`, so one team is paged once per incident through each provider
 * (`dedupKey` makes the provider side idempotent too).
 */
export const PageRecord = z.object({
  id: IdSchema,
  /** When it was first asked for. */
  at: InstantSchema,
  /** Who asked: the declarer, the escalating responder, or hotdoc itself. */
  author: name,
  team: requiredText(200),
  provider: z.enum(PAGE_PROVIDERS),
  reason: z.enum(PAGE_REASONS),
  /** What the page said on top of the key and summary: the escalation's why, or "declared SEV1". */
  note: text(1000),
  dedupKey: requiredText(255),
  state: z.enum(PAGE_STATES),
  attempts: z.number().int().min(0),
  sentAt: InstantSchema.optional(),
  acknowledgedAt: InstantSchema.optional(),
  acknowledgedBy: text(200).optional(),
  resolvedAt: InstantSchema.optional(),
  /** Why the last attempt failed, in the provider's own words. */
  error: text(2000).optional(),
  /** The provider's page for it, once known. */
  url: UrlSchema.optional(),
});
export type PageRecord = z.infer<typeof PageRecord>;

/**
 * One comms update published to one destination (or being published, or failed): the
 * exact text that went out, where, when, by whom, and the provider's id and URL. The id
 * is `<comms id>.<destination>` (`final-<audience>.<destination>` for the update hotdoc
 * posts itself when the incident is resolved): a draft is published to each destination
 * once, and a retry reuses the record.
 */
export const PublicationRecord = z.object({
  id: IdSchema,
  /** The comms update published; absent for the final update posted on resolve. */
  commsId: IdSchema.optional(),
  audience: z.enum(COMMS_AUDIENCES),
  destination: z.enum(PUBLISH_DESTINATIONS),
  state: z.enum(PUBLISH_STATES),
  /** When it was first asked for. */
  at: InstantSchema,
  author: name,
  attempts: z.number().int().min(0),
  /** Exactly what went out (the subject or incident name is the title). */
  title: text(400),
  text: text(30_000),
  sentAt: InstantSchema.optional(),
  /** The provider's id for this update (a Statuspage incident update, an email's Message-ID). */
  providerId: text(500).optional(),
  /** The provider's incident this update belongs to (a Statuspage incident: later updates PATCH it). */
  providerIncidentId: text(500).optional(),
  url: UrlSchema.optional(),
  error: text(2000).optional(),
});
export type PublicationRecord = z.infer<typeof PublicationRecord>;

/** Stored record schema of each collection, used when reading a document back. */
export const RECORD_SCHEMAS = {
  roles: RoleRecord,
  links: LinkRecord,
  timeline: TimelineEntryRecord,
  changes: ChangeRecord,
  observations: ObservationRecord,
  theories: TheoryRecord,
  experiments: ExperimentRecord,
  comms: CommsRecord,
  followUps: FollowUpRecord,
  streams: StreamRecord,
  pages: PageRecord,
  publications: PublicationRecord,
} as const;
