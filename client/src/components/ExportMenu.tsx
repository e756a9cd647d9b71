import { useState } from "react";
import { describeError } from "#shared/errors.ts";
import { EXPORT_FORMATS, type ExportFormatId, exportFileName } from "#shared/exportFormats.ts";
import { apiBlob } from "../api.ts";

/**
 * Exports the postmortem draft as a file, in any format of the shared registry
 * (open the HTML file in a browser to print it to PDF).
 *
 * Every format is downloaded, never opened here: an export shows what editors
 * wrote, and a page opened from this origin (a same-origin `blob:` tab) could act
 * with the signed-in session. The blob is typed as opaque bytes so that even a
 * navigation to its URL would not render it.
 */
export function ExportMenu({ incidentKey, at }: { incidentKey: string; at?: string | null }) {
  const [format, setFormat] = useState<ExportFormatId>(EXPORT_FORMATS[0].id);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const query = new URLSearchParams({ format });
      if (at) query.set("at", at);
      const blob = await apiBlob(`/api/incidents/${incidentKey}/export?${query}`);
      const url = URL.createObjectURL(new Blob([blob], { type: "application/octet-stream" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = exportFileName(incidentKey, format, at);
      link.rel = "noopener";
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="export-menu" data-testid="export-menu">
      <select
        aria-label="Export format"
        data-view-control
        data-testid="export-format"
        value={format}
        onChange={(e) => setFormat(e.target.value as ExportFormatId)}
      >
        {EXPORT_FORMATS.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-view-control
        data-testid="export-button"
        disabled={busy}
        onClick={() => void run()}
      >
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
