import { useId } from "react";
import { PRINCIPAL_ROLE_LABELS } from "#shared/access.ts";
import type { Me } from "../api.ts";
import { setClockZone, useClock, zoneChoices } from "../clock.ts";
import { linkClick } from "../navigation.ts";
import "./header/times.css";

/**
 * Which zone every time on the page is written in: the reader's own or UTC. One radio
 * group, so one tab stop; the arrow keys switch, and a screen reader says which is on.
 */
function ZoneSwitch() {
  const clock = useClock();
  const name = useId();
  return (
    <fieldset className="tm-zone" data-testid="zone-switch" data-zone={clock.zone}>
      <legend>Times in</legend>
      <span className="tm-zone-options">
        {zoneChoices().map(({ zone, label }) => (
          <label key={zone} className="tm-zone-option">
            <input
              type="radio"
              name={name}
              value={zone}
              data-testid={`zone-${zone}`}
              // A reading preference, not a change to the incident: viewers have it too.
              data-view-control
              checked={clock.zone === zone}
              onChange={() => setClockZone(zone)}
            />
            {zone === "local" ? <LocalLabel label={label} /> : <span>{label}</span>}
          </label>
        ))}
      </span>
    </fieldset>
  );
}

/** "Europe/Berlin (UTC+01:00)"; a phone shows only the offset. */
function LocalLabel({ label }: { label: string }) {
  const at = label.lastIndexOf(" (");
  if (at < 0) return <span>{label}</span>;
  // One inline run, so the option reads (and copies) as one line.
  return (
    <span>
      <span className="tm-zone-local-name">{label.slice(0, at)} </span>
      {label.slice(at + 1)}
    </span>
  );
}

/** The app's bar; `me` is null once the session is over, and then no name is claimed. */
export function TopBar({ me, onSignOut }: { me: Me | null; onSignOut: () => void }) {
  return (
    <header className="topbar" data-testid="topbar">
      <a href="/" className="brand" data-testid="nav-dashboard" onClick={linkClick("/")}>
        hotdoc
      </a>
      <span className="spacer" />
      <ZoneSwitch />
      {me ? (
        <>
          <span className="me" title={me.email}>
            <span data-testid="me-name">{me.name}</span>
            <span aria-hidden="true"> · </span>
            <span className="muted" data-testid="me-role">
              {PRINCIPAL_ROLE_LABELS[me.role]}
            </span>
          </span>
          <button type="button" className="link" data-testid="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </>
      ) : (
        <span className="me muted" data-testid="me-signed-out">
          Not signed in
        </span>
      )}
    </header>
  );
}
