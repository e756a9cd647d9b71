import { useEffect, useRef, useState } from "react";
import { CopyButton } from "./changes/CopyButton.tsx";

/** The link with its token cut short: enough to recognise, not enough to use (nor to read off a shared screen). */
function masked(link: string): string {
  const at = link.indexOf("#token=");
  const shown = at < 0 ? 24 : at + "#token=".length + 4;
  return `${link.slice(0, shown)}…`;
}

/** Shown once after a shared link minted a personal one: the person keeps it to come back elsewhere. */
export function PersonalLinkNotice({ link, onDismiss }: { link: string; onDismiss: () => void }) {
  const [shown, setShown] = useState(false);
  const notice = useRef<HTMLElement>(null);
  // It appears right after the name was given: bring the reader to it.
  useEffect(() => notice.current?.focus(), []);
  return (
    <section
      ref={notice}
      className="notice"
      role="status"
      tabIndex={-1}
      aria-labelledby="personal-link-title"
      data-testid="personal-link"
    >
      <p id="personal-link-title">
        <strong>Keep this personal link to open hotdoc on another device.</strong> It opens as you;
        do not share it.
      </p>
      <input
        readOnly
        className="mono grow"
        aria-label={shown ? "Your personal link" : "Your personal link, partly hidden"}
        data-testid="personal-link-url"
        value={shown ? link : masked(link)}
        onFocus={(e) => e.target.select()}
      />
      <CopyButton text={link} label="Copy" testId="personal-link-copy" />
      <button
        type="button"
        onClick={() => setShown((now) => !now)}
        data-testid="personal-link-show"
      >
        {shown ? "Hide" : "Show"}
      </button>
      <button
        type="button"
        className="link"
        onClick={onDismiss}
        data-testid="personal-link-dismiss"
      >
        Dismiss
      </button>
    </section>
  );
}
