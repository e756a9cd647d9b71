import { type FormEvent, useContext, useId, useMemo, useRef, useState } from "react";
import {
  assignRole,
  maxLengthOf,
  ROLE_KINDS,
  ROLE_LABELS,
  type RoleAssignment,
  RoleInput,
  type RoleKind,
  unassignRole,
} from "#shared/doc/index.ts";
import { describeError } from "#shared/errors.ts";
import { useClock } from "../../clock.ts";
import { formatTime } from "../../format.ts";
import { InlineError } from "../InlineError.tsx";
import { LatestTimeline, type SectionProps } from "../sectionProps.ts";
import "./header.css";

const ORDER: readonly RoleKind[] = [
  "incident_manager",
  "backup_im",
  "tech_lead",
  "comms_manager",
  "custom",
];
const FIELD_LABELS = { role: "Role", holder: "Holder", label: "Role name" };

function roleLabel(role: RoleAssignment): string {
  return role.role === "custom" ? role.label || ROLE_LABELS.custom : ROLE_LABELS[role.role];
}

/**
 * Who holds which role. The incident manager is always exactly one person: it is
 * handed over (assigning a new IM replaces the old one), never removed.
 */
export function RolesPanel({ incident, doc, actor, readOnly }: SectionProps) {
  // Redraws when the reader switches the page between their zone and UTC.
  useClock();
  const [kind, setKind] = useState<RoleKind>("tech_lead");
  const [holder, setHolder] = useState("");
  const [label, setLabel] = useState("");
  const [error, setError] = useState<string | null>(null);
  const holderInput = useRef<HTMLInputElement>(null);
  const namesId = useId();

  const roles = [...incident.roles].sort((a, b) => ORDER.indexOf(a.role) - ORDER.indexOf(b.role));
  const im = incident.incidentManager;
  const streams = new Map(incident.streams.map((s) => [s.id, s.name]));
  // The holder's suggestions walk the whole timeline, so they are listed only while the
  // holder field has the focus: otherwise every chat line would pay for the walk.
  // The timeline comes from LatestTimeline: the header is not re-rendered for chat lines.
  const [suggesting, setSuggesting] = useState(false);
  const latestTimeline = useContext(LatestTimeline);
  const knownNames = useMemo(
    () =>
      suggesting
        ? [
            ...new Set([
              ...incident.roles.map((r) => r.holder),
              ...latestTimeline.current.map((e) => e.author),
              actor.name,
            ]),
          ]
            .filter((name) => name && name !== "system")
            .sort((a, b) => a.localeCompare(b))
        : [],
    [suggesting, incident.roles, latestTimeline, actor.name],
  );

  const run = (action: () => void): boolean => {
    try {
      action();
      setError(null);
      return true;
    } catch (e) {
      setError(describeError(e, FIELD_LABELS));
      return false;
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input =
      kind === "custom"
        ? { role: kind, holder: holder.trim(), label: label.trim() || undefined }
        : { role: kind, holder: holder.trim() };
    if (run(() => assignRole(doc, input, actor))) {
      setHolder("");
      setLabel("");
    }
  };

  const handOver = () => {
    setKind("incident_manager");
    holderInput.current?.focus();
  };

  return (
    <section className="ih-panel roles-panel" data-testid="roles" aria-labelledby="ih-roles-title">
      <h2 id="ih-roles-title" className="ih-panel-title">
        Roles
      </h2>
      <ul className="ih-list ih-grid ih-grid-4">
        {!im && (
          <li
            className="ih-role ih-role-missing"
            data-testid="role-missing"
            data-role="incident_manager"
          >
            <span className="ih-role-label">{ROLE_LABELS.incident_manager}</span>
            <strong className="ih-unassigned">unassigned</strong>
            <span />
            {!readOnly && (
              <button
                type="button"
                className="link"
                data-testid="take-im"
                onClick={() =>
                  run(() =>
                    assignRole(doc, { role: "incident_manager", holder: actor.name }, actor),
                  )
                }
              >
                I'll be IM
              </button>
            )}
          </li>
        )}
        {roles.map((role) => (
          <li
            key={role.id}
            className={`ih-role ih-role-${role.role}`}
            data-testid="role-row"
            data-role={role.role}
            data-id={role.id}
            data-holder={role.holder}
          >
            <span className="ih-role-label">
              {roleLabel(role)}
              {role.streamId && streams.has(role.streamId) && (
                <span className="muted"> · {streams.get(role.streamId)}</span>
              )}
            </span>
            <strong className="ih-role-holder" title={`since ${formatTime(role.since)}`}>
              {role.holder}
            </strong>
            <time
              className="muted ih-num ih-since"
              dateTime={role.since}
              title={`since ${role.since}`}
            >
              since {formatTime(role.since)}
            </time>
            {!readOnly &&
              (role.role === "incident_manager" ? (
                <button
                  type="button"
                  className="link"
                  data-testid="role-handover"
                  onClick={handOver}
                >
                  Hand over
                </button>
              ) : (
                <button
                  type="button"
                  className="link ih-remove"
                  data-testid="role-remove"
                  aria-label={`Remove ${role.holder} as ${roleLabel(role)}`}
                  title="Remove this role assignment"
                  onClick={() => run(() => unassignRole(doc, role.id, actor))}
                >
                  Remove
                </button>
              ))}
          </li>
        ))}
      </ul>

      {!readOnly && (
        <form className="ih-form" data-testid="assign-role" onSubmit={submit} noValidate>
          <select
            aria-label="Role"
            data-testid="assign-role-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as RoleKind)}
          >
            {ROLE_KINDS.map((k) => (
              <option key={k} value={k}>
                {ROLE_LABELS[k]}
                {k === "incident_manager" && im ? " (hand over)" : ""}
                {k === "backup_im" && roles.some((r) => r.role === "backup_im") ? " (replace)" : ""}
              </option>
            ))}
          </select>
          {kind === "custom" && (
            <input
              aria-label="Role name"
              data-testid="assign-role-label"
              placeholder="Role name, e.g. Scribe"
              value={label}
              maxLength={maxLengthOf(RoleInput.shape.label)}
              onChange={(e) => setLabel(e.target.value)}
            />
          )}
          <input
            ref={holderInput}
            aria-label="Holder"
            data-testid="assign-role-holder"
            className="grow"
            placeholder="Name"
            value={holder}
            maxLength={maxLengthOf(RoleInput.shape.holder)}
            list={namesId}
            onFocus={() => setSuggesting(true)}
            onBlur={() => setSuggesting(false)}
            onChange={(e) => setHolder(e.target.value)}
          />
          <datalist id={namesId}>
            {knownNames.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <button type="submit" data-testid="assign-role-submit">
            {kind === "incident_manager" && im ? "Hand over" : "Assign"}
          </button>
        </form>
      )}
      <InlineError error={error} testId="roles-error" />
    </section>
  );
}
