/**
 * What the address bar brings at start: an access link's `#token=…` and a failed
 * sign-in's `?signin_error=…`. Both are taken out of the address at once, so neither
 * is left in history, bookmarks or a screenshot; the token is kept in memory only,
 * just long enough to exchange it for a session.
 */

const SIGNIN_ERRORS: Record<string, string> = {
  signin_failed: "Sign-in did not complete; try again.",
  signin_expired: "The sign-in took too long; try again.",
  signin_refused: "Your account is not allowed to use hotdoc.",
};

/** What the address carried, removed from it. */
export interface Arrival {
  /** The token of the access link the page was opened with. */
  token: string | null;
  /** Why the identity provider's sign-in did not end in a session, in words. */
  signinError: string | null;
}

export function takeArrival(): Arrival {
  const url = new URL(location.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const token = fragment.get("token")?.trim() || null;
  const code = url.searchParams.get("signin_error");
  const signinError =
    code === null ? null : (SIGNIN_ERRORS[code] ?? "Sign-in did not complete; try again.");
  if (fragment.has("token") || code !== null) {
    fragment.delete("token");
    url.searchParams.delete("signin_error");
    const rest = fragment.toString();
    url.hash = rest ? `#${rest}` : "";
    history.replaceState(history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }
  return { token, signinError };
}
