import { useCallback, useEffect, useState } from "react";
import { describeError } from "#shared/errors.ts";
import {
  ApiError,
  exchangeLink,
  fetchMe,
  type Me,
  onSessionEnded,
  signOut as postSignOut,
  rememberSession,
} from "../api.ts";
import { type Arrival, takeArrival } from "../session.ts";

/** Where the browser stands: signing in, out, asked for a name, or in. */
export type SessionState =
  | { phase: "starting" }
  | { phase: "signed-out"; problem?: string }
  /** A link several people hold was opened: it opens only with the holder's name. */
  | { phase: "name-required"; token: string; problem?: string }
  /** `personalLink` is shown once, when opening a shared link minted one for this person. */
  | { phase: "signed-in"; me: Me; personalLink?: string };

/** Exchanges an access link's token for a session cookie; see `POST /auth/link`. */
async function openLink(token: string, name?: string): Promise<SessionState> {
  try {
    const { me, personalLink } = await exchangeLink(token, name);
    return { phase: "signed-in", me, personalLink };
  } catch (error) {
    if (error instanceof ApiError && error.code === "name_required")
      return { phase: "name-required", token };
    // A refused name (too long, blank) is asked for again; anything else refuses the link.
    if (name !== undefined && error instanceof ApiError && error.status === 400)
      return { phase: "name-required", token, problem: error.message };
    return { phase: "signed-out", problem: describeError(error) };
  }
}

/**
 * The first state, decided before React renders: an access link in the address is
 * exchanged for a session; otherwise the session cookie, if any, says who this is.
 * Started once at load (not in an effect, which development mode runs twice).
 */
export async function startSession(arrival: Arrival): Promise<SessionState> {
  if (arrival.token) return openLink(arrival.token);
  try {
    return { phase: "signed-in", me: await fetchMe() };
  } catch (error) {
    const anonymous = error instanceof ApiError && error.unauthenticated;
    return {
      phase: "signed-out",
      problem: arrival.signinError ?? (anonymous ? undefined : describeError(error)),
    };
  }
}

export interface Session {
  state: SessionState;
  /** Opens an access link (a pasted one, or a shared one with the holder's name). */
  openLink: (token: string, name?: string) => Promise<void>;
  signOut: () => Promise<void>;
  dismissPersonalLink: () => void;
}

export function useSession(starting: Promise<SessionState>): Session {
  const [state, setState] = useState<SessionState>({ phase: "starting" });
  const enter = useCallback((next: SessionState) => {
    rememberSession(next.phase === "signed-in" ? next.me : null);
    setState(next);
  }, []);

  useEffect(() => {
    let current = true;
    void starting.then((first) => {
      if (current) enter(first);
    });
    return () => {
      current = false;
    };
  }, [starting, enter]);

  // Any request refused as unauthenticated means the session is over (expired, revoked, signed out elsewhere).
  useEffect(() => {
    onSessionEnded((message) => {
      setState((now) =>
        now.phase === "signed-in" ? { phase: "signed-out", problem: message } : now,
      );
    });
    return () => onSessionEnded(undefined);
  }, []);

  const open = useCallback(
    async (token: string, name?: string) => enter(await openLink(token, name)),
    [enter],
  );

  // An access link pasted into the address bar of the open app changes only the fragment
  // (no reload): take its token out of the address and open it all the same.
  useEffect(() => {
    const onHashChange = () => {
      const { token } = takeArrival();
      if (token) void open(token);
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, [open]);

  const signOut = useCallback(async () => {
    try {
      await postSignOut();
      enter({ phase: "signed-out" });
    } catch (error) {
      // Refused as unauthenticated: the session was already over, which is what was asked.
      const over = error instanceof ApiError && error.unauthenticated;
      enter({
        phase: "signed-out",
        problem: over
          ? undefined
          : `Signing out did not reach the server (${describeError(error)}); this browser may still be signed in.`,
      });
    }
  }, [enter]);

  const dismissPersonalLink = useCallback(
    () => setState((now) => (now.phase === "signed-in" ? { phase: "signed-in", me: now.me } : now)),
    [],
  );

  return { state, openLink: open, signOut, dismissPersonalLink };
}
