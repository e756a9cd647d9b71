import { type FormEvent, useId, useState } from "react";
import {
  addStream,
  maxLengthOf,
  renameStream,
  StreamInput,
  setStreamLead,
  setStreamState,
  type WorkStream,
} from "#shared/doc/index.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { useWriteAttempt } from "../../hooks/useWriteAttempt.ts";
import { EditableField } from "../header/EditableField.tsx";
import { InlineError } from "../InlineError.tsx";
import type { SectionProps } from "../sectionProps.ts";
import "../header/header.css";
import "./streams.css";

const FIELD_LABELS = { name: "Stream name", techLead: "Tech lead" };
const NAME_MAX = maxLengthOf(StreamInput.shape.name);
const LEAD_MAX = maxLengthOf(StreamInput.shape.techLead);

/**
 * Streams of work, each with its tech lead (the handbook's "multiple tech leads if
 * more than one stream of work is underway"): start one with its lead, rename it,
 * hand it to another lead, mark it done or take it up again. A stream that has
 * ended stays listed, as everything else in the document.
 */
export function StreamsPanel({ incident, doc, actor, readOnly }: SectionProps) {
  const [name, setName] = useState("");
  const [lead, setLead] = useState("");
  const { error, attempt } = useWriteAttempt();
  const namesId = useId();
  const streams = incident.streams;
  const knownNames = [
    ...new Set([...incident.roles.map((r) => r.holder), ...streams.map((s) => s.techLead)]),
  ]
    .filter(Boolean)
    .sort((a, b) => a.localeCompare(b));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    if (attempt(() => addStream(doc, { name, techLead: lead }, actor))) {
      setName("");
      setLead("");
    }
  };

  return (
    <section
      className="ih-panel streams-panel"
      data-testid="streams"
      aria-labelledby="ih-streams-title"
    >
      <h2 id="ih-streams-title" className="ih-panel-title">
        Work streams
        <span className="muted streams-count">
          {streams.filter((s) => s.state === "active").length} active
        </span>
      </h2>
      {streams.length === 0 ? (
        <p className="muted streams-empty">
          One stream of work so far. When several run at once, give each its tech lead here.
        </p>
      ) : (
        <ul className="ih-list streams-list">
          {streams.map((stream) => (
            <StreamRow
              key={stream.id}
              stream={stream}
              {...{ incident, doc, actor, readOnly }}
              namesId={namesId}
            />
          ))}
        </ul>
      )}
      {!readOnly && (
        <form className="ih-form" data-testid="add-stream" onSubmit={submit} noValidate>
          <input
            aria-label="New stream name"
            data-testid="add-stream-name"
            className="grow"
            placeholder="Stream, e.g. Database failover"
            value={name}
            maxLength={NAME_MAX}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            aria-label="Its tech lead"
            data-testid="add-stream-lead"
            placeholder="Tech lead"
            value={lead}
            maxLength={LEAD_MAX}
            list={namesId}
            onChange={(e) => setLead(e.target.value)}
          />
          <button type="submit" data-testid="add-stream-submit" disabled={!name.trim()}>
            Start stream
          </button>
          <datalist id={namesId}>
            {knownNames.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </form>
      )}
      <InlineError error={error} labels={FIELD_LABELS} testId="add-stream-error" />
    </section>
  );
}

function StreamRow({
  stream,
  doc,
  actor,
  readOnly,
  namesId,
}: SectionProps & { stream: WorkStream; namesId: string }) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const { error, attempt } = useWriteAttempt();
  const done = stream.state === "done";
  return (
    <li
      className={`streams-row${done ? " streams-row-done" : ""}`}
      data-testid="stream-row"
      data-id={stream.id}
      data-name={stream.name}
      data-state={stream.state}
      data-lead={stream.techLead}
    >
      {readOnly ? (
        <>
          <strong className="streams-name" data-testid="stream-name">
            {stream.name}
          </strong>
          <span className="streams-lead" data-testid="stream-lead">
            {stream.techLead ? (
              <>
                <span className="muted">lead </span>
                {stream.techLead}
              </>
            ) : (
              <span className="ih-unassigned">no tech lead</span>
            )}
          </span>
        </>
      ) : (
        <>
          <EditableField
            value={stream.name}
            label={`Name of the stream ${stream.name}`}
            testId="stream-name"
            className="streams-name"
            maxLength={NAME_MAX}
            labels={FIELD_LABELS}
            onCommit={(text) => renameStream(doc, stream.id, text, actor)}
          />
          <EditableField
            value={stream.techLead}
            label={`Tech lead of ${stream.name}`}
            testId="stream-lead"
            className="streams-lead"
            placeholder="no tech lead"
            maxLength={LEAD_MAX}
            list={namesId}
            labels={FIELD_LABELS}
            onCommit={(text) => setStreamLead(doc, stream.id, text, actor)}
          />
        </>
      )}
      <span
        className={`badge streams-state streams-state-${stream.state}`}
        data-testid="stream-state"
        title={
          done && stream.endedAt
            ? `done at ${formatTime(stream.endedAt)}`
            : stream.at
              ? `since ${formatTime(stream.at)}`
              : undefined
        }
      >
        {done ? "done" : "active"}
      </span>
      {!readOnly && (
        <button
          type="button"
          className="link"
          data-testid={done ? "stream-reopen" : "stream-done"}
          title={done ? "Take this stream of work up again" : "This stream of work has ended"}
          onClick={() =>
            attempt(() => setStreamState(doc, stream.id, done ? "active" : "done", actor))
          }
        >
          {done ? "Reopen" : "Mark done"}
        </button>
      )}
      <InlineError error={error} testId="stream-row-error" />
    </li>
  );
}
