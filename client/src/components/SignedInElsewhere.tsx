import type { Me } from "../api.ts";
import { linkClick } from "../navigation.ts";

/**
 * Where a sign-in started from a signed-out incident page lands, in the new tab it opened:
 * the page that started it picks the session up when it is back in front.
 */
export function SignedInElsewhere({ me }: { me: Me }) {
  return (
    <main className="page stack" data-testid="signed-in-elsewhere">
      <h1>Signed in as {me.name}</h1>
      <p>
        Go back to the tab you were working in: it continues with this sign-in, and sends what you
        changed there while signed out. You can close this tab.
      </p>
      <p>
        <a href="/" onClick={linkClick("/")}>
          Open the incident list here instead
        </a>
      </p>
    </main>
  );
}
