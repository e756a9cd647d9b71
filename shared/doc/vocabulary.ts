import { CHAT_SOURCES } from "../chat/platforms.ts";

/**
 * The incident vocabulary from the handbook: severities, statuses, roles,
 * record kinds and states. Pure data, shared by server, bridge, exporter and client.
 */

export const SEVERITIES = [1, 2, 3] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityInfo {
  label: string;
  meaning: string;
  examples: string[];
  /** Sev 1–2 page people now; sev 3 waits for business hours. */
  pagesNow: boolean;
}

export const SEVERITY_INFO: Record<Severity, SeverityInfo> = {
  1: {
    label: "Critical",
    meaning: "A critical incident with very high impact",
    examples: [
      "A customer-facing service is down for all customers",
      "Confidentiality or privacy is breached",
      "Customer data loss",
    ],
    pagesNow: true,
  },
  2: {
    label: "Major",
    meaning: "A major incident with significant impact",
    examples: [
      "A customer-facing service is unavailable for a subset of customers",
      "Core functionality is significantly impacted",
    ],
    pagesNow: true,
  },
  3: {
    label: "Minor",
    meaning: "A minor incident with low impact",
    examples: [
      "A minor inconvenience to customers, workaround available",
      "Usable performance degradation",
    ],
    pagesNow: false,
  },
};

export const STATUSES = ["new", "fixing", "resolved", "closed"] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Allowed status moves. `new` has no IM yet, `fixing` has one, `resolved` means the
 * business impact ended, `closed` means the postmortem is done. A resolved incident
 * may regress to fixing; a false alarm may go straight from new to resolved.
 */
export const STATUS_TRANSITIONS: Record<Status, readonly Status[]> = {
  new: ["fixing", "resolved"],
  fixing: ["resolved"],
  resolved: ["fixing", "closed"],
  closed: ["resolved"],
};

export const ROLE_KINDS = [
  "incident_manager",
  "backup_im",
  "tech_lead",
  "comms_manager",
  "custom",
] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];
export const ROLE_LABELS: Record<RoleKind, string> = {
  incident_manager: "Incident manager",
  backup_im: "Backup IM",
  tech_lead: "Tech lead",
  comms_manager: "Communications manager",
  custom: "Custom role",
};
/** Roles with exactly one holder at a time; the others may have several. */
export const SINGLE_HOLDER_ROLES: readonly RoleKind[] = ["incident_manager", "backup_im"];

/** Where a timeline entry came from: a chat platform (one list, `shared/chat/platforms.ts`) or hotdoc itself. */
export const SOURCES = [...CHAT_SOURCES, "editor", "api", "system"] as const;
export type Source = (typeof SOURCES)[number];
export { CHAT_SOURCES };

export const TIMELINE_KINDS = [
  "chat",
  "note",
  "observation",
  "theory",
  "experiment",
  "decision",
  "change",
  "comms",
  "status",
  "severity",
  "role",
  "alert",
  "followup",
  "page",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const CHANGE_STATES = ["planned", "applied", "reverted", "superseded"] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const THEORY_STATES = ["open", "confirmed", "disproved"] as const;
export type TheoryState = (typeof THEORY_STATES)[number];

export const EXPERIMENT_STATES = ["planned", "running", "done"] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

export const COMMS_AUDIENCES = ["internal", "external"] as const;
export const COMMS_STATES = ["draft", "sent"] as const;

/** Who hotdoc pages through: PagerDuty's Events API v2, Opsgenie's Alert API, or a signed webhook. */
export const PAGE_PROVIDERS = ["pagerduty", "opsgenie", "webhook"] as const;
export type PageProvider = (typeof PAGE_PROVIDERS)[number];
/**
 * A page's life: `sending` while hotdoc talks to the provider, `triggered` once the provider
 * took it, `acknowledged` once someone answered it (reported back by the provider),
 * `resolved` once the incident was, `failed` when the provider refused it or was down
 * (with its reason; it can be sent again).
 */
export const PAGE_STATES = ["sending", "triggered", "acknowledged", "resolved", "failed"] as const;
/** Why a page went out: the declaration (or a raise to a paging severity), or an escalation to another team. */
export const PAGE_REASONS = ["declared", "escalated"] as const;

/** Where a comms update is published: Statuspage (one page per audience), email, a generic webhook. */
export const PUBLISH_DESTINATIONS = ["statuspage", "email", "webhook"] as const;
export type PublishDestination = (typeof PUBLISH_DESTINATIONS)[number];
/** A publication's life: `sending`, `sent` (with the provider's id and URL), `failed` (with the reason; it can be retried). */
export const PUBLISH_STATES = ["sending", "sent", "failed"] as const;

export const FOLLOW_UP_KINDS = ["cleanup", "action_item"] as const;

export const LINK_KINDS = ["chat", "video", "tracker", "dashboard", "statuspage", "other"] as const;

/** A work stream is active while its tech lead's team works on it, done once it has ended (it stays in the record). */
export const STREAM_STATES = ["active", "done"] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** The service name to use when nobody knows which service is at fault. */
export const UNKNOWN_SERVICE = "Unknown";
