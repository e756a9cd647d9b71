import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from "react";
import { maxLengthOf, type PageProvider, type PageRecord } from "#shared/doc/index.ts";
import { EscalateInput } from "#shared/paging.ts";
import { type Clock, useClock } from "../../clock.ts";
import { usePagingOptions } from "../../hooks/usePagingOptions.ts";
import { pageTeam } from "../../pagingApi.ts";
import { InlineError } from "../InlineError.tsx";
import type { SectionProps } from "../sectionProps.ts";
import "./header.css";
import "./paging.css";

const PROVIDER_LABELS: Record<PageProvider, string> = {
  pagerduty: "PagerDuty",
  opsgenie: "Opsgenie",
  webhook: "Webhook",
};
const FIELD_LABELS = { team: "Team", note: "Why?" };
const NOT_SET_UP = "Paging is not set up (see README › Paging and status pages)";

/** What the page's state says, in words. */
function stateText(page: PageRecord, clock: Clock): string {
  switch (page.state) {
    case "sending":
      return "Sending…";
    case "triggered":
      return "Triggered, waiting for acknowledgement";
    case "acknowledged": {
      const by = page.acknowledgedBy ? ` by ${page.acknowledgedBy}` : "";
      const at = page.acknowledgedAt ? ` at ${clock.format(page.acknowledgedAt)}` : "";
      return `Acknowledged${by}${at}`;
    }
    case "resolved":
      return "Resolved";
    case "failed":
      return `Failed: ${page.error || "the provider gave no reason"}`;
  }
}

/**
 * Who was paged for the incident (the rota on declaring, teams escalated to) and where
 * each page stands, reported back by the provider. Responders escalate to another team
 * here and send a failed page again; viewers and the history view only read.
 */
export function PagingPanel({ incident, readOnly }: SectionProps) {
  const clock = useClock();
  const options = usePagingOptions(!readOnly);
  const [open, setOpen] = useState(false);
  const [team, setTeam] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Pages the server answered with that the document has not brought yet.
  const [answered, setAnswered] = useState<PageRecord[]>([]);
  const [retrying, setRetrying] = useState<ReadonlySet<string>>(new Set());
  const [retryErrors, setRetryErrors] = useState<Record<string, unknown>>({});
  const escalateButton = useRef<HTMLButtonElement>(null);
  const teamSelect = useRef<HTMLSelectElement>(null);
  const titleId = useId();
  const teamId = useId();
  const noteId = useId();

  const pages = [
    ...incident.pages,
    ...answered.filter((a) => !incident.pages.some((p) => p.id === a.id)),
  ];
  const teams = options?.teams ?? [];
  const configured = teams.length > 0;
  const canEscalate = !readOnly && configured;

  // Viewers see the panel only when someone was paged; responders also to learn paging is off.
  if (pages.length === 0 && (readOnly || options === undefined)) return null;

  const remember = (fresh: PageRecord[]) =>
    setAnswered((known) => [...known.filter((k) => !fresh.some((f) => f.id === k.id)), ...fresh]);

  const openForm = () => {
    setOpen(true);
    setError(null);
    if (!teams.some((t) => t.name === team)) setTeam(teams[0]?.name ?? "");
    requestAnimationFrame(() => teamSelect.current?.focus());
  };

  const closeForm = () => {
    setOpen(false);
    setError(null);
    requestAnimationFrame(() => escalateButton.current?.focus());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const input = EscalateInput.safeParse({ team, note });
    if (!input.success) {
      setError(input.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await pageTeam(incident.key, input.data);
      remember(answer.pages ?? []);
      setNote("");
      closeForm();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const keyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !event.nativeEvent.isComposing) {
      event.preventDefault();
      closeForm();
    }
  };

  const pageAgain = async (page: PageRecord) => {
    if (retrying.has(page.id)) return;
    setRetrying((ids) => new Set(ids).add(page.id));
    setRetryErrors(({ [page.id]: _, ...rest }) => rest);
    try {
      // An empty note (an old declaration's page) still has to say why.
      const answer = await pageTeam(incident.key, {
        team: page.team,
        note: page.note.trim() || "Paging again",
      });
      remember(answer.pages ?? []);
    } catch (caught) {
      setRetryErrors((all) => ({ ...all, [page.id]: caught }));
    } finally {
      setRetrying((ids) => {
        const next = new Set(ids);
        next.delete(page.id);
        return next;
      });
    }
  };

  return (
    <section className="ih-panel paging-panel" data-testid="paging-panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="ih-panel-title">
        Paged
        {canEscalate && (
          <button
            ref={escalateButton}
            type="button"
            className="link paging-escalate"
            data-testid="escalate-button"
            aria-expanded={open}
            onClick={open ? closeForm : openForm}
          >
            Escalate
          </button>
        )}
      </h2>

      {pages.length === 0 ? (
        <p className="muted ih-empty">{configured ? "Nobody paged yet." : NOT_SET_UP}</p>
      ) : (
        <ul className="ih-list paging-list">
          {pages.map((page) => {
            const sending = retrying.has(page.id);
            const state = sending ? "sending" : page.state;
            const failed = state === "failed";
            const sentAt = page.sentAt ?? page.at;
            return (
              <li
                key={page.id}
                className={`paging-row paging-${state}`}
                data-testid="page-row"
                data-team={page.team}
                data-state={state}
              >
                <span className="paging-head">
                  <strong className="paging-team">{page.team}</strong>
                  <span className="muted paging-provider">{PROVIDER_LABELS[page.provider]}</span>
                  <time className="muted ih-num paging-at" dateTime={sentAt} title={sentAt}>
                    {clock.format(sentAt)}
                  </time>
                </span>
                {page.note && <span className="paging-note">{page.note}</span>}
                <span
                  className="paging-state"
                  data-testid="page-state"
                  role={failed ? "alert" : undefined}
                >
                  {sending ? "Sending…" : stateText(page, clock)}
                </span>
                {failed && !readOnly && (
                  <button
                    type="button"
                    className="paging-retry"
                    data-testid="page-retry"
                    onClick={() => pageAgain(page)}
                  >
                    Page again
                  </button>
                )}
                <InlineError error={retryErrors[page.id] ?? null} testId="page-retry-error" />
              </li>
            );
          })}
        </ul>
      )}
      {!readOnly && !configured && pages.length > 0 && (
        <p className="muted ih-empty">{NOT_SET_UP}</p>
      )}

      {canEscalate && open && (
        <form
          className="paging-form"
          data-testid="escalate-form"
          aria-label="Escalate to another team"
          onSubmit={submit}
          onKeyDown={keyDown}
          noValidate
        >
          <label htmlFor={teamId}>Team</label>
          <select
            id={teamId}
            ref={teamSelect}
            data-testid="escalate-team"
            value={team}
            onChange={(e) => {
              setTeam(e.target.value);
              setError(null);
            }}
          >
            {teams.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
                {t.providers.length > 0
                  ? ` (${t.providers.map((p) => PROVIDER_LABELS[p] ?? p).join(", ")})`
                  : ""}
              </option>
            ))}
          </select>
          <label htmlFor={noteId}>Why?</label>
          <input
            id={noteId}
            data-testid="escalate-note"
            required
            aria-required="true"
            aria-invalid={error ? true : undefined}
            placeholder="e.g. payments API timing out, need DB on-call"
            maxLength={maxLengthOf(EscalateInput.shape.note)}
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              setError(null);
            }}
          />
          <span className="paging-form-actions">
            <button type="submit" className="primary" data-testid="escalate-submit" disabled={busy}>
              {busy ? "Paging…" : "Page"}
            </button>
            <button type="button" data-testid="escalate-cancel" onClick={closeForm}>
              Cancel
            </button>
          </span>
          <InlineError error={error} labels={FIELD_LABELS} testId="escalate-error" />
        </form>
      )}
    </section>
  );
}
