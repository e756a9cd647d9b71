/**
 * The token in what a person pasted or a page was opened with: a whole access link
 * (`http://host/HOT-3#token=…`), just its fragment, or a bare token. Null when there is
 * none. The page and the server read links the same way.
 */
export function tokenFromLink(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const hash = text.indexOf("#");
  if (hash >= 0) return new URLSearchParams(text.slice(hash + 1)).get("token")?.trim() || null;
  return /\s/.test(text) ? null : text;
}
