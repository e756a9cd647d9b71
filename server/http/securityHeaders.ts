import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * Security headers on every response the server sends (Hono's `secureHeaders`), with a
 * strict Content-Security-Policy for the app: scripts only from our own origin (no
 * inline script, no `javascript:` URLs, no eval), no plugins, no framing, no base
 * rewriting, connections only back to this origin (https/wss same-origin included).
 * Styles allow inline because TipTap injects its editor CSS as a <style> element;
 * styles cannot run code. A route that sets its own policy (the exported HTML, served
 * sandboxed) keeps it: `overwrite: false`.
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    overwrite: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      frameSrc: ["'none'"],
      workerSrc: ["'self'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    // HSTS only means something over TLS, which the operator terminates in front;
    // sending it on plain http is harmless (browsers ignore it there).
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
  });
}
