import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { startSession } from "./hooks/useSession.ts";
import { loadIncidentPageCode } from "./incidentPageCode.ts";
import { routeFor } from "./navigation.ts";
import { takeArrival } from "./session.ts";

// Take `#token=…` and `?signin_error=…` out of the address bar before anything renders
// or is logged, and start signing in once (not per render).
const starting = startSession(takeArrival());
// On an incident's address its page's code loads while signing in, not after.
if (routeFor(location.pathname).page === "incident") void loadIncidentPageCode();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App starting={starting} />
  </StrictMode>,
);
