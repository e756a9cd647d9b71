import type { SectionProps } from "../sectionProps.ts";
import { inStreamFilter, useStreams } from "../streams/StreamsContext.tsx";
import { AddFollowUpForm } from "./AddFollowUpForm.tsx";
import { FollowUpRow } from "./FollowUpRow.tsx";
import "./investigation.css";

/**
 * Cleanup tasks and postmortem action items, each with an owner; they go into the
 * postmortem draft. The page's stream filter narrows the list (and its counts).
 */
export function FollowUpsSection({ incident, doc, actor, readOnly }: SectionProps) {
  const streams = useStreams();
  const followUps = incident.followUps.filter((f) => inStreamFilter(f, streams));
  const open = followUps.filter((f) => !f.done).length;
  const unowned = followUps.filter((f) => !f.done && !f.owner).length;

  return (
    <section
      className="panel fu"
      id="follow-ups"
      data-testid="follow-ups"
      aria-labelledby="follow-ups-title"
    >
      <div className="panel-head">
        <h2 id="follow-ups-title">Follow-ups</h2>
        <span className="muted" data-testid="follow-ups-count">
          {open} open · {followUps.length - open} done
          {unowned > 0 && <span className="fu-unowned"> · {unowned} without owner</span>}
        </span>
      </div>
      {followUps.length === 0 ? (
        <p className="muted">
          No follow-ups yet: cleanup tasks and postmortem action items go here.
        </p>
      ) : (
        <ul className="fu-list">
          {followUps.map((followUp) => (
            <FollowUpRow key={followUp.id} followUp={followUp} doc={doc} readOnly={readOnly} />
          ))}
        </ul>
      )}
      {!readOnly && <AddFollowUpForm doc={doc} actor={actor} />}
    </section>
  );
}
