import { useState } from "react";
import { describeError } from "../../../shared/errors.ts";
import { apiBlob } from "../api.ts";

const FORMATS = [
  { value: "html", label: "HTML (printable)", extension: "html" },
  { value: "markdown", label: "Markdown", extension: "md" },
  { value: "confluence", label: "Confluence", extension: "xhtml" },
  { value: "json", label: "JSON", extension: "json" },
] as const;

/** Exports the postmortem draft: HTML opens in a new tab (print it to PDF from there), other formats download. */
export function ExportMenu({ incidentKey, token, at }: { incidentKey: string; token: string; at?: string | null }) {
  const [format, setFormat] = useState<(typeof FORMATS)[number]["value"]>("html");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const query = new URLSearchParams({ format });
      if (at) query.set("at", at);
      const blob = await apiBlob(`/api/incidents/${incidentKey}/export?${query}`, token);
      const url = URL.createObjectURL(blob);
      const extension = FORMATS.find((f) => f.value === format)?.extension ?? "txt";
      if (format === "html") {
        window.open(url, "_blank", "noopener");
      } else {
        const link = document.createElement("a");
        link.href = url;
        link.download = `${incidentKey}-postmortem.${extension}`;
        link.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="export-menu" data-testid="export-menu">
      <select aria-label="Export format" data-view-control data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
        {FORMATS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
      <button type="button" data-view-control data-testid="export-button" disabled={busy} onClick={() => void run()}>
        Export postmortem
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
