/** "2026-11-20 14:02:05 UTC": instants in exports, fixed to UTC so output never depends on where it runs. */
export function formatInstant(iso: string | null): string {
  if (!iso) return "unknown";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
