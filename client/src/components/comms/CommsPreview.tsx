import { useEffect, useRef, useState } from "react";

type CopyState = "idle" | "copied" | "failed";

/** The update exactly as it will be pasted, with a copy button for editors. */
export function CommsPreview({
  text,
  readOnly,
  label = "Preview",
}: {
  text: string;
  readOnly: boolean;
  label?: string;
}) {
  const [copy, setCopy] = useState<CopyState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimer(timer), []);

  const onCopy = async () => {
    clearTimer(timer);
    try {
      // Absent outside secure contexts (plain http on a LAN address): say so instead of pretending.
      if (!navigator.clipboard) throw new Error("clipboard unavailable");
      await navigator.clipboard.writeText(text);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
    timer.current = setTimeout(() => setCopy("idle"), 2500);
  };

  return (
    <div className="comms-preview">
      <div className="comms-preview-head">
        <span className="comms-label">{label}</span>
        {!readOnly && (
          <span className="comms-copy">
            {copy === "failed" && (
              <span className="error">Copy failed: select the text instead</span>
            )}
            <button
              type="button"
              className="link"
              data-testid="comms-copy"
              onClick={onCopy}
              disabled={!text}
            >
              {copy === "copied" ? "Copied" : "Copy"}
            </button>
          </span>
        )}
      </div>
      <pre data-testid="comms-preview">{text || "Nothing to send yet."}</pre>
    </div>
  );
}

function clearTimer(timer: { current: ReturnType<typeof setTimeout> | null }) {
  if (timer.current !== null) clearTimeout(timer.current);
  timer.current = null;
}
