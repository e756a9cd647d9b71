import { useCallback, useEffect, useRef, useState } from "react";
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

/** Where the browser stands: signing in, out, asked for a name or a choice, in, or just ended. */
export type SessionState =
  | { phase: "starting" }
  | { phase: "signed-out"; problem?: string }
  /** A link several people hold was opened: it opens only with the holder's name. */
  | { phase: "name-required"; token: string; problem?: string }
  /**
   * An access link was opened in a browser that is already signed in. Nothing changes
   * until the person says so: a link posted in a chat may be anyone's.
   */
  | { phase: "link-offered"; me: Me; token: string }
  /**
   * `personalLink` is shown once, when opening a shared link minted one for this person;
   * `alert` says why a sign-in or a link did not go through while this session stayed.
   */
  | { phase: "signed-in"; me: Me; personalLink?: string; alert?: string }
  /**
   * The session is over (signed out elsewhere, expired, its link revoked). An open
   * incident page stays, with the changes it could not send, until the person signs in
   * again; `me` is who was signed in, `linkProblem` why a link given to do so was refused.
   */
  | { phase: "ended"; me: Me; problem: string; linkProblem?: string };

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

/** Who this browser's session cookie belongs to, or null when it has none that is good. */
async function signedInAs(): Promise<Me | null> {
  try {
    return await fetchMe();
  } catch {
    return null;
  }
}

/**
 * The first state, decided before React renders: an access link in the address is
 * exchanged for a session, unless the browser is signed in already (then the person is
 * asked); otherwise the session cookie, if any, says who this is. Started once at load
 * (not in an effect, which development mode runs twice).
 */
export async function startSession(arrival: Arrival): Promise<SessionState> {
  if (arrival.token) {
    const me = await signedInAs();
    return me ? { phase: "link-offered", me, token: arrival.token } : openLink(arrival.token);
  }
  try {
    // A sign-in that failed leaves an older session that is still good in place: say so there.
    const me = await fetchMe();
    return arrival.signinError
      ? { phase: "signed-in", me, alert: arrival.signinError }
      : { phase: "signed-in", me };
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
  /** Opens an access link (a pasted one, an offered one, or a shared one with the holder's name). */
  openLink: (token: string, name?: string) => Promise<void>;
  /** Declines an offered link (or gives up on a shared one): the token is dropped. */
  dropLink: () => void;
  signOut: () => Promise<void>;
  dismiss: (what: "personalLink" | "alert") => void;
}

export function useSession(starting: Promise<SessionState>): Session {
  const [state, setState] = useState<SessionState>({ phase: "starting" });
  // The state as of now, for handlers that finish after an await.
  const current = useRef(state);
  const enter = useCallback((next: SessionState) => {
    rememberSession(next.phase === "signed-in" ? next.me : null);
    current.current = next;
    setState(next);
  }, []);

  useEffect(() => {
    let active = true;
    void starting.then((first) => {
      if (active) enter(first);
    });
    return () => {
      active = false;
    };
  }, [starting, enter]);

  // Any request or connection refused as unauthenticated means the session is over
  // (expired, revoked, signed out elsewhere).
  useEffect(() => {
    onSessionEnded((message) => {
      const now = current.current;
      if (now.phase === "signed-in") enter({ phase: "ended", me: now.me, problem: message });
    });
    return () => onSessionEnded(undefined);
  }, [enter]);

  const open = useCallback(
    async (token: string, name?: string) => {
      const before = current.current;
      const next = await openLink(token, name);
      // A refused link changes nothing: a session that was good stays, an ended one keeps its page.
      if (next.phase === "signed-out" && before.phase === "link-offered") {
        enter({
          phase: "signed-in",
          me: before.me,
          alert: `${next.problem} The link was not opened; you are still signed in as ${before.me.name}.`,
        });
      } else if (next.phase === "signed-out" && before.phase === "ended") {
        enter({ ...before, linkProblem: next.problem });
      } else {
        enter(next);
      }
    },
    [enter],
  );

  // An access link pasted into the address bar of the open app changes only the fragment
  // (no reload): take its token out of the address and handle it as on arrival.
  useEffect(() => {
    const onHashChange = async () => {
      const { token } = takeArrival();
      if (!token) return;
      const me = await signedInAs();
      if (me) enter({ phase: "link-offered", me, token });
      else await open(token);
    };
    const listener = () => void onHashChange();
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
  }, [enter, open]);

  // Once the session is over, signing in again may happen in another tab (the identity
  // provider's sign-in opens one): coming back to this tab looks for the new session.
  const ended = state.phase === "ended";
  useEffect(() => {
    if (!ended) return;
    const recheck = async () => {
      if (document.visibilityState !== "visible") return;
      const me = await signedInAs();
      if (me && current.current.phase === "ended") enter({ phase: "signed-in", me });
    };
    const listener = () => void recheck();
    window.addEventListener("focus", listener);
    document.addEventListener("visibilitychange", listener);
    return () => {
      window.removeEventListener("focus", listener);
      document.removeEventListener("visibilitychange", listener);
    };
  }, [ended, enter]);

  const dropLink = useCallback(() => {
    const now = current.current;
    enter(
      now.phase === "link-offered" ? { phase: "signed-in", me: now.me } : { phase: "signed-out" },
    );
  }, [enter]);

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

  const dismiss = useCallback(
    (what: "personalLink" | "alert") => {
      const now = current.current;
      if (now.phase === "signed-in") enter({ ...now, [what]: undefined });
    },
    [enter],
  );

  return { state, openLink: open, dropLink, signOut, dismiss };
}
