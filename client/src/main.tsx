import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { adoptTokenFromLocation } from "./session.ts";

// Take `#token=…` out of the address bar before anything renders or is logged.
adoptTokenFromLocation();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
