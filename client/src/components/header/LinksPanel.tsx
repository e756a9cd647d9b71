import { type FormEvent, useState } from "react";
import {
  addLink,
  deleteRecord,
  type IncidentLink,
  LINK_KINDS,
  LinkInput,
  maxLengthOf,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { InlineError } from "../InlineError.tsx";
import type { SectionProps } from "../sectionProps.ts";
import "./header.css";

type LinkKind = (typeof LINK_KINDS)[number];

const KIND_LABELS: Record<LinkKind, string> = {
  chat: "Chat room",
  video: "Video call",
  tracker: "Tracker",
  dashboard: "Dashboard",
  statuspage: "Status page",
  other: "Link",
};
const FIELD_LABELS = { kind: "Kind", label: "Label", url: "URL" };

function isSafeUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function displayName(link: IncidentLink): string {
  if (link.label) return link.label;
  try {
    const url = new URL(link.url);
    return url.host + (url.pathname !== "/" ? url.pathname : "");
  } catch {
    return link.url;
  }
}

/** Where the incident happens: chat room, video call, tracker, dashboards. Links open in a new tab. */
export function LinksPanel({ incident, doc, actor: _actor, readOnly }: SectionProps) {
  const [kind, setKind] = useState<LinkKind>("chat");
  const [label, setLabel] = useState("");
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);

  const links = [...incident.links].sort(
    (a, b) =>
      LINK_KINDS.indexOf(a.kind) - LINK_KINDS.indexOf(b.kind) ||
      displayName(a).localeCompare(displayName(b)),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      addLink(doc, { kind, label: label.trim(), url: url.trim() });
      setError(null);
      setLabel("");
      setUrl("");
    } catch (e) {
      setError(describeError(e, FIELD_LABELS));
    }
  };

  const remove = (id: string) => {
    try {
      deleteRecord(doc, "links", id);
      setError(null);
    } catch (e) {
      setError(describeError(e, FIELD_LABELS));
    }
  };

  return (
    <section className="ih-panel links-panel" data-testid="links" aria-labelledby="ih-links-title">
      <h2 id="ih-links-title" className="ih-panel-title">
        Links
      </h2>
      {links.length === 0 ? (
        <p className="muted ih-empty">No chat room, call or dashboard linked yet.</p>
      ) : (
        <ul className="ih-list ih-grid ih-grid-3">
          {links.map((link) => (
            <li
              key={link.id}
              className="ih-link"
              data-testid="link-row"
              data-kind={link.kind}
              data-id={link.id}
            >
              <span className="ih-link-kind">{KIND_LABELS[link.kind]}</span>
              {isSafeUrl(link.url) ? (
                <a
                  href={link.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  title={link.url}
                  className="ih-link-anchor"
                >
                  {displayName(link)}
                </a>
              ) : (
                <span className="ih-link-anchor">{displayName(link)}</span>
              )}
              {!readOnly && (
                <button
                  type="button"
                  className="link ih-remove"
                  data-testid="link-remove"
                  aria-label={`Remove link ${displayName(link)}`}
                  title="Remove this link"
                  onClick={() => remove(link.id)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <form className="ih-form" data-testid="add-link" onSubmit={submit} noValidate>
          <select
            aria-label="Link kind"
            data-testid="add-link-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as LinkKind)}
          >
            {LINK_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <input
            aria-label="Link label"
            data-testid="add-link-label"
            placeholder="Label (optional)"
            value={label}
            maxLength={maxLengthOf(LinkInput.shape.label)}
            onChange={(e) => setLabel(e.target.value)}
          />
          <input
            type="url"
            inputMode="url"
            aria-label="Link URL"
            data-testid="add-link-url"
            className="grow"
            placeholder="https://…"
            value={url}
            maxLength={maxLengthOf(LinkInput.shape.url)}
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" data-testid="add-link-submit">
            Add
          </button>
        </form>
      )}
      <InlineError error={error} testId="links-error" />
    </section>
  );
}
