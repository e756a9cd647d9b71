import { CopyButton } from "./changes/CopyButton.tsx";

/** Shown once after a shared link minted a personal one: the person keeps it to come back elsewhere. */
export function PersonalLinkNotice({ link, onDismiss }: { link: string; onDismiss: () => void }) {
  return (
    <section className="notice" aria-labelledby="personal-link-title" data-testid="personal-link">
      <p id="personal-link-title">
        <strong>Keep this personal link to open hotdoc on another device.</strong> It opens as you;
        do not share it.
      </p>
      <input
        readOnly
        className="mono grow"
        aria-label="Your personal link"
        data-testid="personal-link-url"
        value={link}
        onFocus={(e) => e.target.select()}
      />
      <CopyButton text={link} label="Copy" testId="personal-link-copy" />
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
