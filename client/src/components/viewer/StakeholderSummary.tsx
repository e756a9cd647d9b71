import { latestSentUpdate } from "#shared/comms/nextUpdate.ts";
import {
  type CommsUpdate,
  type IncidentDocument,
  SEVERITY_INFO,
  type Status,
  UNKNOWN_SERVICE,
} from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";
import { SeverityBadge } from "../SeverityBadge.tsx";
import { StatusBadge } from "../StatusBadge.tsx";
import { NextUpdateLine, SentAgo } from "./UpdateTiming.tsx";
import "./viewer.css";

/** What each status means to someone outside the incident team. */
const STATUS_MEANING: Record<Status, string> = {
  new: "Declared; the incident team is forming",
  fixing: "The incident team is working on it",
  resolved: "Resolved: the business impact has ended",
  closed: "Resolved and reviewed",
};

/**
 * What a stakeholder opens the page for, first and on one phone screen: status,
 * severity, impact, the latest update that was really sent, and when the next one is
 * due. Drafts never appear here: an unsent draft reads like an official statement.
 */
export function StakeholderSummary({
  incident,
  hidden = false,
}: {
  incident: IncidentDocument;
  hidden?: boolean;
}) {
  const severity = SEVERITY_INFO[incident.severity];
  const latest = latestSentUpdate(incident.comms);
  const impact = incident.description.trim() || incident.assessment.customersSeeing.trim();
  const active = incident.status === "new" || incident.status === "fixing";
  return (
    <section
      className="panel stakeholder"
      aria-labelledby="stakeholder-title"
      data-testid="stakeholder-summary"
      hidden={hidden}
    >
      <div className="sh-state">
        <span className="sh-chip" data-testid="stakeholder-severity">
          <SeverityBadge severity={incident.severity} />
          <span>{severity.label}</span>
        </span>
        <span className="sh-chip" data-testid="stakeholder-status">
          <StatusBadge status={incident.status} />
          <span>{STATUS_MEANING[incident.status]}</span>
        </span>
      </div>
      <h2 id="stakeholder-title" className="sh-title">
        <span className="mono sh-key">{incident.key}</span> {incident.summary}
      </h2>
      <div className="sh-impact" data-testid="stakeholder-impact">
        <p>
          <strong>Impact: </strong>
          {impact || <span className="sh-unknown">not yet known</span>}
        </p>
        <p className="sh-scope">
          <span>
            <strong>Affected: </strong>
            {incident.products.length > 0 ? incident.products.join(", ") : "no product named yet"}
          </span>
          {incident.assessment.customersAffected.trim() && (
            <span>
              <strong>Customers: </strong>
              {incident.assessment.customersAffected}
            </span>
          )}
          <span>
            <strong>Service: </strong>
            {incident.service === UNKNOWN_SERVICE || !incident.service
              ? "not yet known"
              : incident.service}
          </span>
        </p>
      </div>
      {latest ? (
        <LatestUpdate update={latest} active={active} />
      ) : (
        <p className="sh-update sh-none" data-testid="stakeholder-latest-update">
          No update has been sent yet.
        </p>
      )}
    </section>
  );
}

/** The latest sent update, in full, with when the next one is due above its text. */
function LatestUpdate({ update, active }: { update: CommsUpdate; active: boolean }) {
  const clock = useClock();
  const sentAt = update.sentAt ?? update.at;
  return (
    <article
      className={`sh-update sh-update-${update.audience}`}
      aria-labelledby="stakeholder-update-title"
      data-testid="stakeholder-latest-update"
      data-id={update.id}
    >
      <header className="sh-update-head">
        <h3 id="stakeholder-update-title">
          Latest {update.audience} update
          {update.title && <span className="sh-update-name">{update.title}</span>}
        </h3>
        <p className="sh-update-meta" data-testid="stakeholder-update-meta">
          Sent{" "}
          <time dateTime={sentAt} className="mono">
            {clock.format(sentAt)}
          </time>{" "}
          <SentAgo iso={sentAt} /> by {update.author}
          {update.channel ? ` · ${update.channel}` : ""}
        </p>
        <NextUpdateLine update={update} active={active} />
      </header>
      {update.summary && (
        <p className="sh-update-summary" data-testid="stakeholder-update-summary">
          {update.summary}
        </p>
      )}
      <Bullets title="Current status" items={update.currentStatus} />
      <Bullets title="Next steps" items={update.nextSteps} />
    </article>
  );
}

function Bullets({ title, items }: { title: string; items: string[] }) {
  const shown = items.filter((item) => item.trim());
  if (shown.length === 0) return null;
  return (
    <div className="sh-bullets">
      <h4>{title}</h4>
      <ul>
        {shown.map((item, index) => (
          // Items are plain lines of text with no identity of their own; their order is the key.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is re-rendered whole, never reordered in place
          <li key={index}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
