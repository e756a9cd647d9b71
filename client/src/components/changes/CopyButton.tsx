import { useEffect, useRef, useState } from "react";

/** Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is missing (plain http). */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused or insecure context: try the old way below.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand("copy")) throw new Error("copy refused");
  } finally {
    area.remove();
  }
}

/** A button that copies `text` and says "Copied" for a moment. */
export function CopyButton({
  text,
  label,
  testId,
  title,
}: {
  text: string;
  label: string;
  testId: string;
  title?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = () => {
    clearTimeout(timer.current);
    const settle = (next: "copied" | "failed") => {
      setState(next);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setState("idle"), next === "copied" ? 2000 : 4000);
    };
    copyText(text).then(
      () => settle("copied"),
      () => settle("failed"),
    );
  };

  return (
    <button
      type="button"
      className={`cl-copy cl-copy-${state}`}
      data-testid={testId}
      data-copied={state === "copied" ? true : undefined}
      title={title}
      disabled={!text}
      onClick={copy}
    >
      <span aria-live="polite">
        {state === "copied"
          ? "Copied"
          : state === "failed"
            ? "Copy failed — select the text"
            : label}
      </span>
    </button>
  );
}
