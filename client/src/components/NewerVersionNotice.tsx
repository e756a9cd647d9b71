import { SCHEMA_VERSION } from "#shared/doc/index.ts";

/**
 * Shown when the incident was written by a newer hotdoc than the one this page was
 * loaded from (a tab left open across an upgrade): records in a shape this page does
 * not know would be missing from it, so it asks for a reload rather than show less.
 */
export function NewerVersionNotice({ schemaVersion }: { schemaVersion: number }) {
  if (schemaVersion <= SCHEMA_VERSION) return null;
  return (
    <section className="notice" role="alert" data-testid="newer-version-notice">
      <p>
        hotdoc has been updated since this page was opened, and parts of this incident may not show
        here.{" "}
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>{" "}
        to see all of it.
      </p>
    </section>
  );
}
