import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { closeReasonFromString } from "#shared/closeReasons.ts";
import type { Actor, TimelineEntry } from "#shared/doc/index.ts";
import { colorForSubject } from "#shared/presence.ts";
import { endSession, type Me } from "../api.ts";
import { useEditingPresence } from "../hooks/useEditingPresence.ts";
import { useIncidentDoc } from "../hooks/useIncidentDoc.ts";
import { useIncidentState } from "../hooks/useIncidentState.ts";
import { useShortcuts } from "../hooks/useShortcuts.ts";
import { useStreamFilter } from "../hooks/useStreamFilter.ts";
import { ConnectionStatus } from "./ConnectionStatus.tsx";
import { ChangeLogSection } from "./changes/ChangeLogSection.tsx";
import { CommsSection } from "./comms/CommsSection.tsx";
import { ExportMenu } from "./ExportMenu.tsx";
import { HistoryBar } from "./HistoryBar.tsx";
import { HistoryView } from "./HistoryView.tsx";
import { IncidentHeaderPanel } from "./header/IncidentHeaderPanel.tsx";
import { FollowUpsSection } from "./investigation/FollowUpsSection.tsx";
import { InvestigationSection } from "./investigation/InvestigationSection.tsx";
import { NewerVersionNotice } from "./NewerVersionNotice.tsx";
import { NotesEditor } from "./NotesEditor.tsx";
import { PresenceList } from "./PresenceList.tsx";
import { SectionNav } from "./SectionNav.tsx";
import { type SessionEnd, SignedOutNotice } from "./SignedOutNotice.tsx";
import { MAIN_CONTENT_ID } from "./SkipLink.tsx";
import { LatestTimeline, sameBesidesTimeline } from "./sectionProps.ts";
import { StreamFilter } from "./streams/StreamFilter.tsx";
import { StreamsProvider } from "./streams/StreamsContext.tsx";
import { Timeline } from "./Timeline.tsx";
import { StakeholderSummary } from "./viewer/StakeholderSummary.tsx";
import { ViewerTools } from "./viewer/ViewerTools.tsx";

// The sections below the timeline re-render only when what they show changed, not for
// every chat message that lands on a long timeline.
const ChangeLog = memo(ChangeLogSection, sameBesidesTimeline);
const Investigation = memo(InvestigationSection, sameBesidesTimeline);
const Comms = memo(CommsSection, sameBesidesTimeline);
const FollowUps = memo(FollowUpsSection, sameBesidesTimeline);
// The header too (its role form reads the timeline's authors through LatestTimeline), and
// the page's tools, whose props a chat message does not change: each re-render of a form
// field makes React set its name and type again, which dirties the whole page's layout.
const Header = memo(IncidentHeaderPanel, sameBesidesTimeline);
const History = memo(HistoryBar);
const Export = memo(ExportMenu);
const Connection = memo(ConnectionStatus);
const Presence = memo(PresenceList);

/**
 * One incident, live, in one scroll: header, timeline, change log, investigation,
 * comms, follow-ups, notes. One Y.Doc for as long as the page is open (longer, while it
 * holds changes not yet saved), and one provider per session. `ended` is set once the
 * session is over: the page stays, read-only, until the person signs in again.
 */
export function IncidentPage({
  incidentKey,
  me,
  ended,
}: {
  incidentKey: string;
  me: Me;
  ended?: SessionEnd;
}) {
  const connection = useIncidentDoc(incidentKey, me.csrf ?? "");
  const { doc, provider, status, synced, error, unsaved } = connection;
  const readOnly = connection.readOnly || ended !== undefined;
  // A viewer link's page leads with the stakeholder summary. Decided by the role, not by
  // `readOnly`, so a responder whose session ends keeps the layout they were working in.
  const stakeholder = me.role === "viewer";
  const incident = useIncidentState(doc);
  const latestTimeline = useRef<TimelineEntry[]>([]);
  latestTimeline.current = incident?.timeline ?? [];
  const { name, subject } = me;
  const actor = useMemo<Actor>(() => ({ name, source: "editor" }), [name]);
  const user = useMemo(() => ({ name, color: colorForSubject(subject) }), [name, subject]);
  // A connection refused for its session or link (signed out, expired, revoked) ends the
  // session for the whole app, whatever the reason.
  useEffect(() => {
    if (error && closeReasonFromString(error.reason)?.code === 4401) endSession(error.message);
  }, [error]);
  const quickAdd = useRef<HTMLInputElement>(null);
  const [help, setHelp] = useState(false);
  const [historyAt, setHistoryAt] = useState<string | null>(null);
  const [streamFilter, setStreamFilter] = useStreamFilter();
  const focusQuickAdd = useCallback(() => {
    quickAdd.current?.scrollIntoView({ block: "center" });
    quickAdd.current?.focus();
  }, []);
  const toggleHelp = useCallback(() => setHelp((shown) => !shown), []);
  useShortcuts({ focusQuickAdd, toggleHelp });
  const page = useRef<HTMLElement>(null);
  useEditingPresence(provider, page);

  return (
    <main
      ref={page}
      id={MAIN_CONTENT_ID}
      tabIndex={-1}
      className={`page incident${readOnly ? " read-only-view" : ""}`}
      data-testid="incident-page"
      data-key={incidentKey}
    >
      {/* First on the page: once the session is over, nothing below can be changed. */}
      {ended && <SignedOutNotice end={ended} me={me} unsaved={unsaved} />}
      <div className="page-status">
        {readOnly && status === "online" && (
          <span
            className="badge read-only"
            data-testid="read-only-marker"
            title="You can watch this incident live but not change it"
          >
            Read-only
          </span>
        )}
        {provider && <Presence provider={provider} me={me} />}
        <Connection status={status} error={error} unsaved={unsaved} />
      </div>
      {incident && <NewerVersionNotice schemaVersion={incident.schemaVersion} />}
      {!incident || !doc || !provider ? (
        <p className="muted" data-testid="incident-loading">
          {status === "refused"
            ? `Cannot open ${incidentKey}.`
            : synced
              ? `${incidentKey} is not an incident.`
              : `Opening ${incidentKey}…`}
        </p>
      ) : (
        <>
          {/* A stakeholder comes for the state and the latest word; the tools go last for them. */}
          {stakeholder ? (
            <StakeholderSummary incident={incident} hidden={historyAt !== null} />
          ) : (
            <div className="page-tools">
              <History incidentKey={incidentKey} at={historyAt} onChange={setHistoryAt} />
              <Export incidentKey={incidentKey} at={historyAt} />
            </div>
          )}
          {historyAt && <HistoryView incidentKey={incidentKey} at={historyAt} actor={actor} />}
          {/* The live sections stay mounted (hidden) while history is shown, so drafts and half-typed forms survive. */}
          <div hidden={historyAt !== null}>
            <StreamsProvider streams={incident.streams} filter={streamFilter}>
              <LatestTimeline.Provider value={latestTimeline}>
                <Header incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
              </LatestTimeline.Provider>
              <SectionNav showHelp={help} readOnly={readOnly}>
                <StreamFilter onChange={setStreamFilter} />
              </SectionNav>
              <Timeline
                entries={incident.timeline}
                doc={doc}
                actor={actor}
                readOnly={readOnly}
                quickAddRef={quickAdd}
              />
              <ChangeLog incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
              <Investigation incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
              <Comms incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
              <div className="incident-grid">
                <FollowUps incident={incident} doc={doc} actor={actor} readOnly={readOnly} />
                <NotesEditor doc={doc} provider={provider} user={user} readOnly={readOnly} />
              </div>
            </StreamsProvider>
          </div>
          {stakeholder && (
            <ViewerTools incidentKey={incidentKey} at={historyAt} onChange={setHistoryAt} />
          )}
        </>
      )}
    </main>
  );
}
