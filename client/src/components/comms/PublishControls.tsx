import { useRef, useState } from "react";
import type {
  CommsUpdate,
  IncidentDocument,
  PublicationRecord,
  PublishDestination,
} from "#shared/doc/index.ts";
import type { PublicationsAnswer } from "#shared/paging.ts";
import { ApiError } from "../../api.ts";
import { type Clock, useClock } from "../../clock.ts";
import { usePagingOptions } from "../../hooks/usePagingOptions.ts";
import { publishComms } from "../../pagingApi.ts";
import { InlineError } from "../InlineError.tsx";
import "./publish.css";

type Audience = CommsUpdate["audience"];

/**
 * The draft was just written to this tab's document; the server may not have it yet when
 * the publish request arrives, and then answers `record_not_found`. It is asked again for
 * a few seconds, the time a connected tab's change takes to arrive.
 */
const NOT_YET_THERE_WAITS_MS = [250, 500, 1000, 1500, 2500];

function destinationLabel(destination: PublishDestination, audience: Audience): string {
  if (destination === "statuspage") return `Statuspage (${audience})`;
  if (destination === "email") return "Email to the list";
  return "Webhook";
}

/** Only web addresses become links: a provider's URL is not trusted to be one. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

/** "Sent to Statuspage (internal) 14:05", "Email sent to the list 14:05", "Failed: <reason>". */
function stateText(p: PublicationRecord, clock: Clock): string {
  if (p.state === "sending") return `${destinationLabel(p.destination, p.audience)}: sending…`;
  if (p.state === "failed") return `Failed: ${p.error || "the provider gave no reason"}`;
  const at = clock.format(p.sentAt ?? p.at);
  if (p.destination === "email") return `Email sent to the list ${at}`;
  if (p.destination === "webhook") return `Sent to the webhook ${at}`;
  return `Sent to ${destinationLabel(p.destination, p.audience)} ${at}`;
}

/** Publishes `commsId`, asking again while the server has not received the draft yet. */
async function publishWhenSaved(incidentKey: string, commsId: string): Promise<PublicationsAnswer> {
  for (const wait of NOT_YET_THERE_WAITS_MS) {
    try {
      return await publishComms(incidentKey, commsId);
    } catch (caught) {
      if (!(caught instanceof ApiError) || caught.code !== "record_not_found") throw caught;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  try {
    return await publishComms(incidentKey, commsId);
  } catch (caught) {
    if (caught instanceof ApiError && caught.code === "record_not_found")
      throw new Error(
        "The server does not have this draft yet (is the page offline?). Publish again once it is saved.",
      );
    throw caught;
  }
}

/** The document's publications of `commsId`, with those the server answered that it has not brought yet. */
function publicationsOf(
  all: readonly PublicationRecord[],
  answered: readonly PublicationRecord[],
  commsId: string | undefined,
): PublicationRecord[] {
  if (!commsId) return [];
  const known = all.filter((p) => p.commsId === commsId);
  return [
    ...known,
    ...answered.filter((a) => a.commsId === commsId && !known.some((p) => p.id === a.id)),
  ];
}

/**
 * Where one update went: per destination, when (and, in the log, by whom), the provider's
 * link, or why it failed with a Retry for responders.
 */
export function PublicationList({
  publications,
  withAuthor = false,
  onRetry,
  busy = false,
}: {
  publications: readonly PublicationRecord[];
  withAuthor?: boolean;
  /** Absent: read-only, no Retry. */
  onRetry?: (publication: PublicationRecord) => void;
  busy?: boolean;
}) {
  const clock = useClock();
  if (publications.length === 0) return null;
  return (
    <ul className="comms-publications">
      {publications.map((p) => {
        const url = p.state === "sent" ? safeUrl(p.url) : undefined;
        const failed = p.state === "failed";
        return (
          <li
            key={p.id}
            className={`comms-publication ${p.state}`}
            data-testid="publication-row"
            data-destination={p.destination}
            data-state={p.state}
          >
            {failed && (
              <span className="comms-publication-dest">
                {destinationLabel(p.destination, p.audience)}:{" "}
              </span>
            )}
            <span role={failed ? "alert" : undefined}>{stateText(p, clock)}</span>
            {withAuthor && p.state === "sent" && <span className="muted"> by {p.author}</span>}
            {url && (
              <>
                {" · "}
                <a href={url} target="_blank" rel="noopener noreferrer">
                  view on {destinationLabel(p.destination, p.audience)}
                </a>
              </>
            )}
            {failed && onRetry && (
              <button
                type="button"
                className="comms-publication-retry"
                data-testid="publication-retry"
                disabled={busy}
                aria-label={`Retry publishing to ${destinationLabel(p.destination, p.audience)}`}
                onClick={() => onRetry(p)}
              >
                Retry
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Sends a publish request for an update and keeps what it answered, its error and whether it is running. */
export function usePublish(incidentKey: string) {
  const [answered, setAnswered] = useState<PublicationRecord[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (commsId: string): Promise<PublicationRecord[] | null> => {
    setBusy(true);
    setError(null);
    try {
      const answer = await publishWhenSaved(incidentKey, commsId);
      const fresh = answer.publications ?? [];
      setAnswered((known) => [...known.filter((k) => !fresh.some((f) => f.id === k.id)), ...fresh]);
      return fresh;
    } catch (caught) {
      setError(caught);
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { answered, error, busy, run };
}

/**
 * "Publish" on a draft whose audience has destinations configured (Statuspage, email, a
 * webhook): saves the draft as "Save draft" does, then asks the server to post it to each
 * destination, and shows where it went. "Mark as sent" stays beside it for updates sent
 * by hand.
 */
export function PublishControls({
  incident,
  audience,
  draftId,
  canPublish,
  draftKey,
  save,
  onPublished,
}: {
  incident: IncidentDocument;
  audience: Audience;
  /** The saved draft being edited, if any: its earlier publications are shown too. */
  draftId: string | undefined;
  canPublish: boolean;
  /** Identifies the text: once published, the button waits for the text to change. */
  draftKey: string;
  /** Writes the draft to the document; its id, or null when it was refused (the editor shows why). */
  save: () => string | null;
  /** Called, from the newest render, once at least one destination took the update with this text. */
  onPublished: (draftKey: string, commsId: string) => void;
}) {
  // The request takes a while and the person may type meanwhile: the editor's newest callback is the one told.
  const latestOnPublished = useRef(onPublished);
  latestOnPublished.current = onPublished;
  const options = usePagingOptions();
  const { answered, error, busy, run } = usePublish(incident.key);
  const [publishedId, setPublishedId] = useState<string | undefined>(undefined);
  const [publishedKey, setPublishedKey] = useState<string | null>(null);
  const destinations = options?.publishing[audience] ?? [];
  const shownId = publishedId ?? draftId;
  const rows = publicationsOf(incident.publications, answered, shownId);
  if (destinations.length === 0 && rows.length === 0) return null;

  const publish = async () => {
    if (busy || publishedKey === draftKey) return;
    const key = draftKey;
    const id = save();
    if (!id) return;
    setPublishedId(id);
    const fresh = await run(id);
    if (fresh?.some((p) => p.state === "sent")) {
      setPublishedKey(key);
      latestOnPublished.current(key, id);
    }
  };

  const retry = (p: PublicationRecord) => {
    if (!busy && p.commsId) void run(p.commsId);
  };

  const where = [...new Set(destinations.map((d) => destinationLabel(d, audience)))].join(", ");
  return (
    <div className="comms-publish" data-testid={`comms-publish-${audience}`}>
      {destinations.length > 0 && (
        <button
          type="button"
          className="primary"
          data-testid="publish-button"
          onClick={publish}
          disabled={!canPublish || busy || publishedKey === draftKey}
          title={
            canPublish
              ? `Post this update to ${where} and record it as sent`
              : "A title and a summary first"
          }
        >
          {busy ? "Publishing…" : "Publish"}
        </button>
      )}
      <PublicationList publications={rows} onRetry={retry} busy={busy} />
      <InlineError error={error} testId="publish-error" />
    </div>
  );
}
