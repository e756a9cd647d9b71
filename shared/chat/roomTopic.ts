import type * as Y from "yjs";
import { readIncidentSummary } from "../doc/read.ts";
import { readRoles } from "../doc/streams.ts";
import type { RoleKind } from "../doc/vocabulary.ts";

const TOPIC_ROLES: [RoleKind, string][] = [
  ["incident_manager", "IM"],
  ["tech_lead", "TL"],
  ["comms_manager", "Comms"],
];

/**
 * What an incident's chat room says in its topic, kept true as the incident moves:
 * `HOT-42 · SEV2 · fixing · Checkout is failing · IM: Ana · TL: Bo, Cy · Comms: Di`.
 * Platforms that limit a topic's length cut it themselves.
 */
export function roomTopic(doc: Y.Doc): string {
  const summary = readIncidentSummary(doc);
  const roles = readRoles(doc);
  const parts = [summary.key, `SEV${summary.severity}`, summary.status, summary.summary];
  for (const [kind, label] of TOPIC_ROLES) {
    const holders = [...new Set(roles.filter((r) => r.role === kind).map((r) => r.holder))];
    if (holders.length > 0) parts.push(`${label}: ${holders.join(", ")}`);
  }
  return parts
    .filter((part) => part !== "")
    .join(" · ")
    .replace(/[\r\n]+/g, " ");
}
