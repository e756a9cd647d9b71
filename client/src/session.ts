/**
 * What the browser remembers between visits: the access token (from the
 * `#token=` fragment of an access link) and the responder's display name.
 */
const TOKEN_KEY = "hotdoc.token";
const NAME_KEY = "hotdoc.name";
export const DEFAULT_NAME = "Responder";

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled (private mode, policy): the value lives for this page only.
  }
}

/** Extracts a token from `#token=…`, a whole access link, or a bare token. */
export function parseToken(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const hash = text.indexOf("#");
  if (hash >= 0) return new URLSearchParams(text.slice(hash + 1)).get("token")?.trim() || null;
  return /\s/.test(text) ? null : text;
}

/** Stores a token found in the URL fragment and removes it from the address bar. */
export function adoptTokenFromLocation(): void {
  if (!location.hash) return;
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("token")) return;
  const token = params.get("token")?.trim();
  if (token) write(TOKEN_KEY, token);
  params.delete("token");
  const rest = params.toString();
  history.replaceState(
    history.state,
    "",
    `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`,
  );
}

export const loadToken = (): string | null => read(TOKEN_KEY) || null;
export const saveToken = (token: string | null): void => write(TOKEN_KEY, token);
export const loadName = (): string | null => read(NAME_KEY)?.trim() || null;
export const saveName = (name: string): void => write(NAME_KEY, name);

/** A stable caret colour per name, so a responder keeps their colour across reloads. */
export function colorForName(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 70% 45%)`;
}
