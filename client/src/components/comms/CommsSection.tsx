import { useState } from "react";
import type * as Y from "yjs";
import type { Actor, CommsUpdate, IncidentDocument } from "#shared/doc/index.ts";
import type { SectionProps } from "../sectionProps.ts";
import "./comms.css";
import { CommsDraftEditor } from "./CommsDraftEditor.tsx";
import { CommsLog } from "./CommsLog.tsx";
import {
  type Audience,
  DEFAULT_CHANNEL,
  type DraftState,
  seedDraft,
  stateFromRecord,
} from "./commsText.ts";

/**
 * Internal and external updates, drafted from the document in the handbook's
 * format with its checklist, and the log of what was sent. Viewers see only the
 * sent log: a draft, even one drafted by the page itself, reads like an official
 * statement that nobody made.
 */
export function CommsSection({ incident, doc, actor, readOnly }: SectionProps) {
  return (
    <section className="panel comms" id="comms" aria-labelledby="comms-title" data-testid="comms">
      <h2 id="comms-title">Comms</h2>
      {readOnly ? (
        <CommsReadOnly incident={incident} doc={doc} actor={actor} />
      ) : (
        <CommsEditors key={incident.key} incident={incident} doc={doc} actor={actor} />
      )}
    </section>
  );
}

type Props = { incident: IncidentDocument; doc: Y.Doc; actor: Actor };

function CommsEditors({ incident, doc, actor }: Props) {
  // Seeded once; the document keeps changing, and "Refresh from document" re-seeds on request.
  const [drafts, setDrafts] = useState<Record<Audience, DraftState>>(() => ({
    internal: seedDraft(incident, "internal"),
    external: seedDraft(incident, "external"),
  }));
  const setDraft = (audience: Audience) => (next: DraftState) =>
    setDrafts((all) => ({ ...all, [audience]: next }));

  const open = (record: CommsUpdate) => {
    setDrafts((all) => ({ ...all, [record.audience]: stateFromRecord(record, incident) }));
    document
      .getElementById(`comms-draft-${record.audience}`)
      ?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  const statuspages = incident.links.filter((l) => l.kind === "statuspage").map((l) => l.url);
  const suggestions = (audience: Audience) =>
    unique([DEFAULT_CHANNEL[audience], ...statuspages, ...pastChannels(incident.comms, audience)]);

  return (
    <>
      <div className="comms-drafts">
        {(["internal", "external"] as const).map((audience) => (
          <CommsDraftEditor
            key={audience}
            incident={incident}
            doc={doc}
            actor={actor}
            value={drafts[audience]}
            onChange={setDraft(audience)}
            channelSuggestions={suggestions(audience)}
          />
        ))}
      </div>
      <CommsLog
        comms={incident.comms}
        publications={incident.publications}
        incidentKey={incident.key}
        status={incident.status}
        doc={doc}
        actor={actor}
        readOnly={false}
        onOpen={open}
      />
    </>
  );
}

/** A stakeholder's view: no controls at all, only what was sent. */
function CommsReadOnly({ incident, doc, actor }: Props) {
  return (
    <CommsLog
      comms={incident.comms}
      publications={incident.publications}
      status={incident.status}
      doc={doc}
      actor={actor}
      readOnly
      onOpen={() => {}}
    />
  );
}

function pastChannels(comms: CommsUpdate[], audience: Audience): string[] {
  return comms.filter((c) => c.audience === audience && c.channel).map((c) => c.channel);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
