import * as Y from "yjs";
import {
  addComms,
  addExperiment,
  addFollowUp,
  addLink,
  addObservation,
  addStream,
  addTheory,
  appendTimelineEntry,
  assignRole,
  initIncident,
  logPageEvent,
  markCommsSent,
  type PublicationRecord,
  pageId,
  publicationId,
  recordChange,
  savePage,
  savePublication,
  setChangeState,
  setExperimentState,
  setIncidentFields,
  setRichTextPlain,
  setSeverity,
  setStatus,
  setStreamState,
  setTheoryState,
} from "#shared/doc/index.ts";

/** 2026-11-20 14:mm:ss UTC. */
const T = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 20, 14, minute, second));

/**
 * A realistic incident with fixed times: chat and hand-written timeline entries,
 * changes with revert steps (one still applied), theories and experiments, two
 * work streams (one done), comms and follow-ups. Every event has its own second,
 * so the output order never depends on random ids.
 */
export function realisticIncident(): Y.Doc {
  const doc = new Y.Doc();
  const priya = { name: "Priya Natarajan", source: "editor" as const };
  const marco = { name: "Marco Rossi", source: "editor" as const };
  initIncident(doc, {
    key: "HOT-42",
    summary: "Checkout fails for EU customers",
    severity: 2,
    description: "Customers in the EU get HTTP 502 when they pay.",
    service: "payments-api",
    products: ["Web shop", "Mobile app"],
    startedAt: T(0).toISOString(),
    actor: priya,
    now: T(7),
  });
  const chat = (minute: number, author: string, text: string, id: string) =>
    appendTimelineEntry(
      doc,
      {
        id: `slack:C0HOT42:${id}`,
        at: T(minute, 30).toISOString(),
        author,
        source: "slack",
        kind: "chat",
        text,
        external: { platform: "slack", channel: "C0HOT42", messageId: id },
      },
      T(minute, 30),
    );
  // Pages as paging writes them (shared/doc/paging.ts): the record and its pinned timeline line.
  const payments = pageId("Payments on-call", "pagerduty");
  savePage(doc, {
    id: payments,
    at: T(7).toISOString(),
    author: "Priya Natarajan",
    team: "Payments on-call",
    provider: "pagerduty",
    reason: "declared",
    note: "declared SEV2",
    dedupKey: "hotdoc/HOT-42/payments-on-call",
    state: "resolved",
    attempts: 1,
    sentAt: T(7, 5).toISOString(),
    acknowledgedAt: T(9, 35).toISOString(),
    acknowledgedBy: "Marco Rossi",
    resolvedAt: T(64, 5).toISOString(),
    url: "https://hotdoc-example.pagerduty.com/incidents/Q1HOT42",
  });
  logPageEvent(
    doc,
    { id: payments },
    "Paged Payments on-call through PagerDuty: declared SEV2",
    T(7, 5),
  );
  assignRole(doc, { role: "incident_manager", holder: "Priya Natarajan" }, priya, T(8));
  setStatus(doc, "fixing", priya, T(8));
  assignRole(doc, { role: "tech_lead", holder: "Marco Rossi" }, priya, T(9));
  addLink(doc, { kind: "chat", label: "#hot-42", url: "https://chat.example.com/hot-42" });
  setIncidentFields(
    doc,
    {
      customersSeeing: "An error page after pressing Pay",
      customersAffected: "About 30% of EU checkouts",
      supportCases: "14",
    },
    priya,
    T(10),
  );
  chat(10, "U0MARCO", "5xx rate at 31% in EU since 14:00", "1700000001.000100");
  const release = addStream(
    doc,
    { name: "Release rollback", techLead: "Marco Rossi" },
    priya,
    T(10, 40),
  );
  const database = addStream(
    doc,
    { name: "Database health", techLead: "Aiko Tanaka" },
    priya,
    T(10, 50),
  );
  const pool = addObservation(
    doc,
    {
      author: "Marco Rossi",
      text: "payments-api logs 'connection pool exhausted'",
      confirmed: true,
    },
    T(11),
  );
  const deploy = addObservation(
    doc,
    {
      author: "Aiko Tanaka",
      text: "v2024.11.3 rolled out to EU at 13:58",
      confirmed: true,
      streamId: release,
    },
    T(12),
  );
  const retry = addTheory(
    doc,
    {
      author: "Marco Rossi",
      text: "The new release opens a connection per retry",
      observationIds: [pool, deploy],
      streamId: release,
    },
    T(13),
  );
  const db = addTheory(
    doc,
    {
      author: "Aiko Tanaka",
      text: "The EU database primary is degraded",
      observationIds: [pool],
      streamId: database,
    },
    T(14),
  );
  const check = addExperiment(
    doc,
    { author: "Aiko Tanaka", text: "Check the primary's health", theoryId: db, streamId: database },
    T(15),
  );
  setExperimentState(doc, check, "done", marco, "Primary healthy", T(16));
  setTheoryState(doc, db, "disproved", marco, T(17));
  appendTimelineEntry(
    doc,
    {
      author: "Aiko Tanaka",
      text: "Primary and replicas healthy, standing down",
      streamId: database,
    },
    T(17, 20),
  );
  setStreamState(doc, database, "done", priya, T(17, 45));
  setSeverity(doc, 1, priya, T(18));
  const dbPage = pageId("Database on-call", "opsgenie");
  savePage(doc, {
    id: dbPage,
    at: T(11, 20).toISOString(),
    author: "Marco Rossi",
    team: "Database on-call",
    provider: "opsgenie",
    reason: "escalated",
    note: "connection pool exhausted",
    dedupKey: "hotdoc/HOT-42/database-on-call",
    state: "failed",
    attempts: 3,
    error: "request timed out after 10 s",
  });
  logPageEvent(doc, { id: dbPage }, "Paging Database on-call through Opsgenie failed", T(11, 25));
  const rollbackTest = addExperiment(
    doc,
    {
      author: "Marco Rossi",
      text: "Roll back to v2024.11.2 in EU",
      theoryId: retry,
      streamId: release,
    },
    T(19),
  );
  const rollback = recordChange(
    doc,
    {
      author: "Marco Rossi",
      what: "Rolled back payments-api to v2024.11.2",
      how: "deployctl rollback",
      why: "Test the retry theory",
      revertSteps: "deployctl deploy payments-api v2024.11.3",
      state: "applied",
      streamId: release,
    },
    T(20),
  );
  recordChange(
    doc,
    {
      author: "Aiko Tanaka",
      what: "Raised max_connections to 800",
      how: "ALTER SYSTEM",
      why: "Head-room",
      revertSteps: "ALTER SYSTEM SET max_connections = 500",
      state: "applied",
    },
    T(21),
  );
  const flag = recordChange(
    doc,
    {
      author: "Marco Rossi",
      what: "Disabled the retry feature flag",
      how: "flagctl off retries",
      why: "Stop the storm",
      revertSteps: "flagctl on retries",
      state: "applied",
    },
    T(22),
  );
  chat(23, "U0DANA", "Support confirms errors stopped", "1700000002.000100");
  setExperimentState(doc, rollbackTest, "done", marco, "5xx back to 0.1% in 4 minutes", T(24));
  setTheoryState(doc, retry, "confirmed", marco, T(25));
  setChangeState(doc, flag, "reverted", marco, T(26));
  void rollback;
  const update = addComms(
    doc,
    {
      author: "Dana Kim",
      audience: "internal",
      title: "HOT-42 - Sev 1 - Checkout fails for EU customers",
      summary: "Checkout is restored after a rollback.",
      channel: "status page",
    },
    T(27),
  );
  markCommsSent(doc, update, { name: "Dana Kim", source: "editor" }, "status page", T(28));
  const dana = { name: "Dana Kim", source: "editor" as const };
  // What publishing writes (shared/doc/paging.ts): one record per destination, sent or failed.
  const publish = (
    commsId: string | undefined,
    audience: PublicationRecord["audience"],
    destination: PublicationRecord["destination"],
    title: string,
    minute: number,
    outcome: { url?: string; error?: string } = {},
    id = publicationId(commsId ?? `final-${audience}`, destination),
  ) =>
    savePublication(doc, {
      id,
      ...(commsId ? { commsId } : {}),
      audience,
      destination,
      state: outcome.error ? "failed" : "sent",
      at: T(minute).toISOString(),
      author: "Dana Kim",
      attempts: 1,
      title,
      text: title,
      ...(outcome.error ? { error: outcome.error } : { sentAt: T(minute, 5).toISOString() }),
      ...(outcome.url ? { url: outcome.url } : {}),
    });
  const external = addComms(
    doc,
    {
      author: "Dana Kim",
      audience: "external",
      title: "Checkout errors in the EU",
      summary: "Some EU customers cannot pay; a fix is being applied.",
      nextUpdate: "In 45 minutes",
    },
    T(29),
  );
  publish(external, "external", "statuspage", "Checkout errors in the EU", 30, {
    url: "https://status.example.com/incidents/hot42",
  });
  publish(external, "external", "email", "Checkout errors in the EU", 30);
  markCommsSent(doc, external, dana, undefined, T(30, 10));
  // A draft nobody sent: never in the postmortem.
  addComms(
    doc,
    { author: "Dana Kim", audience: "external", title: "Draft: root cause found" },
    T(31),
  );
  const second = addComms(
    doc,
    {
      author: "Dana Kim",
      audience: "internal",
      title: "HOT-42 - Sev 1 - Checkout recovering",
      summary: "Error rate back to normal; watching.",
      nextUpdate: "15:30 UTC",
    },
    T(60),
  );
  publish(second, "internal", "statuspage", "HOT-42 - Sev 1 - Checkout recovering", 61, {
    url: "https://status.example.com/internal/hot42",
  });
  publish(second, "internal", "email", "HOT-42 - Sev 1 - Checkout recovering", 61, {
    error: "mail relay refused the connection",
  });
  markCommsSent(doc, second, dana, undefined, T(62));
  setIncidentFields(doc, { endedAt: T(62).toISOString() }, priya, T(63));
  setStatus(doc, "resolved", priya, T(64));
  publish(undefined, "external", "statuspage", "Resolved: checkout errors in the EU", 64, {
    url: "https://status.example.com/incidents/hot42",
  });
  addFollowUp(
    doc,
    {
      author: "Priya Natarajan",
      text: "Fix the retry path to reuse pooled connections",
      owner: "Marco Rossi",
      streamId: release,
    },
    T(65),
  );
  addFollowUp(
    doc,
    {
      author: "Priya Natarajan",
      text: "Lower max_connections back to 500",
      owner: "Aiko Tanaka",
      kind: "cleanup",
    },
    T(66),
  );
  setRichTextPlain(doc, "notes", "Rollback at 14:20 fixed it.\nKeep watching the EU panel.");
  return doc;
}
