import type { Principal } from "#shared/access.ts";
import {
  addComms,
  addExperiment,
  addFollowUp,
  addLink,
  addObservation,
  addTheory,
  appendTimelineEntry,
  assignRole,
  recordChange,
  setChangeState,
  setExperimentState,
  setIncidentFields,
  setRichTextPlain,
  setStatus,
  setTheoryState,
} from "#shared/doc/index.ts";
import type { IncidentService } from "../incidents/IncidentService.ts";

/**
 * Declares a realistic sample incident (a bad deploy that exhausts a database
 * connection pool), so a newcomer opens a populated document. Times are laid out
 * over the last hour.
 */
export async function createSampleIncident(
  incidents: IncidentService,
  principal: Principal,
): Promise<string> {
  const now = Date.now();
  const t = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  const created = await incidents.create(
    {
      summary: "Checkout fails for EU customers",
      severity: 2,
      description:
        "Customers in the EU region get HTTP 502 when they pay. Browsing and carts work.\nRetries sometimes succeed.",
      service: "payments-api",
      products: ["Web shop", "Mobile app"],
      startedAt: t(62).toISOString(),
      detectedAt: t(55).toISOString(),
    },
    principal,
    t(54),
  );
  const key = created.key;
  await incidents.write(key, principal, (doc) => {
    const who = (name: string) => ({ name, source: "editor" as const });
    assignRole(
      doc,
      { role: "incident_manager", holder: "Priya Natarajan" },
      who("Priya Natarajan"),
      t(52),
    );
    setStatus(doc, "fixing", who("Priya Natarajan"), t(52));
    assignRole(doc, { role: "tech_lead", holder: "Marco Rossi" }, who("Priya Natarajan"), t(50));
    assignRole(doc, { role: "comms_manager", holder: "Dana Kim" }, who("Priya Natarajan"), t(49));
    addLink(doc, {
      kind: "chat",
      label: `#${key.toLowerCase()}`,
      url: `https://chat.example.com/channels/${key.toLowerCase()}`,
    });
    addLink(doc, {
      kind: "video",
      label: "Bridge call",
      url: "https://meet.example.com/hot-bridge",
    });
    addLink(doc, {
      kind: "dashboard",
      label: "Payments latency",
      url: "https://grafana.example.com/d/payments",
    });
    setIncidentFields(
      doc,
      {
        customersSeeing: "An error page after pressing Pay; the order is not placed.",
        customersAffected: "About 30% of EU checkouts; no other region.",
        supportCases: "14 so far",
        otherFactors: "Complaints on social media; no sign of data loss or a security issue.",
      },
      who("Dana Kim"),
      t(45),
    );
    const chat = (minutesAgo: number, author: string, text: string, id: string) =>
      appendTimelineEntry(
        doc,
        {
          id: `slack:demo:${id}`,
          at: t(minutesAgo).toISOString(),
          author,
          source: "slack",
          kind: "chat",
          text,
          external: { platform: "slack", channel: key.toLowerCase(), messageId: id },
        },
        t(minutesAgo),
      );
    chat(53, "Priya Natarajan", "I'm IM. Joining the bridge call now.", "1");
    chat(48, "Marco Rossi", "payments-api 5xx rate went from 0.1% to 31% at 14:02, EU only", "2");
    const pool = addObservation(
      doc,
      {
        author: "Marco Rossi",
        text: "payments-api pods log 'connection pool exhausted' for the orders DB",
        confirmed: true,
      },
      t(46),
    );
    const deploy = addObservation(
      doc,
      {
        author: "Aiko Tanaka",
        text: "payments-api v2024.11.3 rolled out to EU at 13:58",
        confirmed: true,
      },
      t(44),
    );
    const theory = addTheory(
      doc,
      {
        author: "Marco Rossi",
        text: "The new release opens a DB connection per retry and exhausts the pool",
        observationIds: [pool, deploy],
      },
      t(42),
    );
    const other = addTheory(
      doc,
      {
        author: "Aiko Tanaka",
        text: "The EU orders DB primary is degraded",
        observationIds: [pool],
      },
      t(41),
    );
    const check = addExperiment(
      doc,
      {
        author: "Aiko Tanaka",
        text: "Check DB primary health and failover status",
        theoryId: other,
      },
      t(40),
    );
    setExperimentState(
      doc,
      check,
      "done",
      who("Aiko Tanaka"),
      "Primary healthy, replication lag under 1 s",
      t(36),
    );
    setTheoryState(doc, other, "disproved", who("Marco Rossi"), t(35));
    const rollback = addExperiment(
      doc,
      {
        author: "Marco Rossi",
        text: "Roll payments-api back to v2024.11.2 in EU",
        theoryId: theory,
      },
      t(33),
    );
    const change = recordChange(
      doc,
      {
        author: "Marco Rossi",
        what: "Rolled payments-api back to v2024.11.2 in eu-west-1",
        how: "deployctl rollback payments-api --region eu-west-1 --to v2024.11.2",
        why: "Testing the connection-per-retry theory",
        revertSteps: "deployctl deploy payments-api --region eu-west-1 --version v2024.11.3",
        state: "applied",
        theoryId: theory,
        experimentId: rollback,
      },
      t(32),
    );
    recordChange(
      doc,
      {
        author: "Aiko Tanaka",
        what: "Raised orders DB max_connections from 500 to 800",
        how: "ALTER SYSTEM SET max_connections = 800; rolling restart of the replicas",
        why: "Head-room while the rollback drains",
        revertSteps: "ALTER SYSTEM SET max_connections = 500; rolling restart",
        state: "applied",
      },
      t(30),
    );
    setExperimentState(
      doc,
      rollback,
      "done",
      who("Marco Rossi"),
      "5xx back to 0.1% within 4 minutes",
      t(24),
    );
    setTheoryState(doc, theory, "confirmed", who("Marco Rossi"), t(23));
    setChangeState(doc, change, "applied", who("Marco Rossi"), t(23));
    chat(22, "Dana Kim", "Drafting the internal update now", "3");
    const comms = addComms(
      doc,
      {
        author: "Dana Kim",
        audience: "internal",
        title: `${key} - Sev 2 - Checkout fails for EU customers`,
        summary:
          "EU customers could not pay for about an hour; a rollback has restored checkout and we are watching it.",
        currentStatus: [
          "Rollback of payments-api complete in EU",
          "Error rate back to normal",
          "14 support cases open",
        ],
        nextSteps: ["Confirm the root cause in the release", "Reply to affected customers"],
        nextUpdate: "In 30 minutes, on the internal status page",
        channel: "internal status page + email",
      },
      t(20),
    );
    void comms;
    addFollowUp(
      doc,
      {
        author: "Priya Natarajan",
        text: "Fix retry path to reuse pooled connections",
        owner: "Marco Rossi",
      },
      t(15),
    );
    addFollowUp(
      doc,
      {
        author: "Priya Natarajan",
        text: "Lower max_connections back to 500 once v2024.11.4 ships",
        owner: "Aiko Tanaka",
        kind: "cleanup",
      },
      t(15),
    );
    setRichTextPlain(
      doc,
      "notes",
      "Rollback done at 14:34. Keep watching the EU error-rate panel until the end of impact is confirmed.",
    );
  });
  return key;
}
