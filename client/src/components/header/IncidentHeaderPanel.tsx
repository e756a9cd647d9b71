import { useEffect, useRef, useState } from "react";
import {
  IncidentFieldsInput,
  maxLengthOf,
  SEVERITY_INFO,
  STATUS_TRANSITIONS,
  type Status,
  setIncidentFields,
  setStatus,
  UNKNOWN_SERVICE,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { IncidentTimes } from "../IncidentTimes.tsx";
import { InlineError } from "../InlineError.tsx";
import { SeverityBadge } from "../SeverityBadge.tsx";
import { SeveritySelect } from "../SeveritySelect.tsx";
import { StatusBadge } from "../StatusBadge.tsx";
import type { SectionProps } from "../sectionProps.ts";
import { StreamsPanel } from "../streams/StreamsPanel.tsx";
import { EditableField } from "./EditableField.tsx";
import { InlineSummary } from "./InlineSummary.tsx";
import { LinksPanel } from "./LinksPanel.tsx";
import { PagingPanel } from "./PagingPanel.tsx";
import { ResolveDialog } from "./ResolveDialog.tsx";
import { RolesPanel } from "./RolesPanel.tsx";
import { TimesPanel } from "./TimesPanel.tsx";
import { UpdateCountdown } from "./UpdateCountdown.tsx";
import "./header.css";

/** What each allowed status move is called on its button, and what it means. */
function moveLabel(from: Status, to: Status): { text: string; title: string } {
  if (to === "fixing")
    return from === "new"
      ? {
          text: "Start fixing",
          title: "An incident manager is assigned and the team is working on it",
        }
      : { text: "Back to fixing", title: "The impact is not over after all" };
  if (to === "resolved")
    return from === "closed"
      ? { text: "Reopen as resolved", title: "The postmortem is not done after all" }
      : {
          text: "Resolve",
          title: "The business impact has ended: asks when, and lists the changes still applied",
        };
  if (to === "closed") return { text: "Close", title: "The postmortem is done" };
  return { text: to, title: `Move to ${to}` };
}

const parseProducts = (text: string) =>
  text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);

/**
 * The incident at a glance: key and summary, severity, status and its allowed moves,
 * the incident manager, the faulty service and products, live TTD/TTR — and, below,
 * roles, links, times with the assessment, and the work streams with their leads.
 */
export function IncidentHeaderPanel({
  incident,
  doc,
  actor,
  readOnly,
  at,
}: SectionProps & { /** The instant shown, in the history view. */ at?: string }) {
  // A refused move is shown until the situation it was refused in changes (status or IM).
  const [statusError, setStatusError] = useState<{ message: string; context: string } | null>(null);
  // Resolving asks first (when impact ended, what is still applied): see ResolveDialog.
  const [resolving, setResolving] = useState(false);
  // A page that turns read-only (the session ended) drops the dialog: signing in again
  // must not bring it back unasked.
  useEffect(() => {
    if (readOnly) setResolving(false);
  }, [readOnly]);
  const statusFact = useRef<HTMLDivElement>(null);
  const context = `${incident.status}|${incident.incidentManager ?? ""}`;
  const severity = SEVERITY_INFO[incident.severity];
  const moves = STATUS_TRANSITIONS[incident.status];
  const props = { incident, doc, actor, readOnly };

  const move = (to: Status) => {
    // Only the end of the impact asks when it ended. Reopening a closed incident as
    // resolved keeps the end it has, so it moves at once.
    if (to === "resolved" && (incident.status === "new" || incident.status === "fixing")) {
      setStatusError(null);
      setResolving(true);
      return;
    }
    try {
      setStatus(doc, to, actor);
      setStatusError(null);
    } catch (e) {
      setStatusError({ message: describeError(e), context });
    }
  };

  return (
    <section
      className={`panel ih ih-status-${incident.status} ih-sev-${incident.severity}`}
      data-testid="incident-header"
      data-status={incident.status}
      data-severity={incident.severity}
      aria-label={`Incident ${incident.key}`}
    >
      <h1 className="ih-title">
        <span className="mono ih-key" data-testid="header-key">
          {incident.key}
        </span>
        {readOnly ? (
          <span className="ih-summary" data-testid="header-summary">
            {incident.summary}
          </span>
        ) : (
          <InlineSummary
            value={incident.summary}
            testId="header-summary"
            onCommit={(summary) => setIncidentFields(doc, { summary }, actor)}
          />
        )}
      </h1>

      <div className="ih-facts">
        <div className="ih-fact ih-fact-severity" title={`${severity.label}: ${severity.meaning}`}>
          <SeverityBadge severity={incident.severity} testId="header-severity" />
          {!readOnly && <SeveritySelect doc={doc} severity={incident.severity} actor={actor} />}
          <span className="ih-fact-note">
            {readOnly && `${severity.label} · `}
            <span className="muted">
              {severity.pagesNow ? "pages now" : "waits for business hours"}
            </span>
          </span>
        </div>

        <div className="ih-fact ih-fact-status" ref={statusFact}>
          <StatusBadge status={incident.status} testId="header-status" />
          {!readOnly &&
            moves.map((to) => {
              const { text, title } = moveLabel(incident.status, to);
              return (
                <button
                  key={to}
                  type="button"
                  className={`ih-move ih-move-${to}`}
                  data-testid="status-move"
                  data-to={to}
                  title={title}
                  onClick={() => move(to)}
                >
                  {text}
                </button>
              );
            })}
        </div>

        <div className={`ih-fact ih-im${incident.incidentManager ? "" : " ih-im-missing"}`}>
          <span className="ih-fact-label">Incident manager</span>
          <strong data-testid="header-im" data-assigned={Boolean(incident.incidentManager)}>
            {incident.incidentManager ?? "unassigned"}
          </strong>
        </div>

        <div className="ih-fact ih-clocks">
          <IncidentTimes times={incident.times} at={at} />
        </div>
        {/* Counts down from now: not shown for a past instant (the history view). */}
        {!at && <UpdateCountdown comms={incident.comms} status={incident.status} />}
      </div>
      <InlineError
        error={statusError?.context === context ? statusError.message : null}
        testId="status-error"
      />
      {resolving && !readOnly && (
        <ResolveDialog
          incident={incident}
          doc={doc}
          actor={actor}
          onClose={() => {
            setResolving(false);
            // After resolving, the button that opened the dialog is gone: the keyboard
            // goes on from the status's next move rather than from the top of the page.
            requestAnimationFrame(() => {
              if (document.activeElement === document.body)
                statusFact.current?.querySelector<HTMLButtonElement>("button")?.focus();
            });
          }}
        />
      )}

      <div className="ih-facts ih-scope">
        <div className="ih-fact ih-fact-service">
          <span className="ih-fact-label">Faulty service</span>
          {readOnly ? (
            <strong data-testid="header-service">{incident.service || UNKNOWN_SERVICE}</strong>
          ) : (
            <EditableField
              value={incident.service}
              label="Faulty service"
              testId="header-service"
              placeholder={UNKNOWN_SERVICE}
              maxLength={maxLengthOf(IncidentFieldsInput.shape.service)}
              labels={{ service: "Faulty service" }}
              normalize={(text) => text.trim() || UNKNOWN_SERVICE}
              onCommit={(text) =>
                setIncidentFields(doc, { service: text.trim() || UNKNOWN_SERVICE }, actor)
              }
            />
          )}
        </div>
        <div className="ih-fact ih-fact-products">
          <span className="ih-fact-label">Products</span>
          {readOnly ? (
            <strong data-testid="header-products">
              {incident.products.length > 0 ? (
                incident.products.join(", ")
              ) : (
                <span className="ih-unknown">none named</span>
              )}
            </strong>
          ) : (
            <EditableField
              value={incident.products.join(", ")}
              label="Affected products (comma-separated)"
              testId="header-products"
              placeholder="e.g. Checkout, Mobile app"
              className="grow"
              labels={{ products: "Products" }}
              normalize={(text) => parseProducts(text).join(", ")}
              onCommit={(text) => setIncidentFields(doc, { products: parseProducts(text) }, actor)}
            />
          )}
        </div>
      </div>

      <div className="ih-panels">
        <RolesPanel {...props} />
        <PagingPanel {...props} />
        <LinksPanel {...props} />
        <TimesPanel {...props} at={at} />
        <StreamsPanel {...props} />
      </div>
    </section>
  );
}
