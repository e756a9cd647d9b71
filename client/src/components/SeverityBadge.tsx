import { SEVERITY_INFO, type Severity } from "#shared/doc/index.ts";

export function SeverityBadge({ severity, testId }: { severity: Severity; testId?: string }) {
  const info = SEVERITY_INFO[severity];
  return (
    <span
      className={`badge sev sev-${severity}`}
      title={`${info.label}: ${info.meaning}`}
      data-testid={testId}
      data-severity={severity}
    >
      SEV{severity}
    </span>
  );
}
