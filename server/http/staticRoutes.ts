import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

/**
 * The built client. Any other GET that is not an API path gets index.html, so
 * /HOT-12 opens the incident page. Assets are content-hashed by Vite and cached long.
 */
export function staticRoutes(clientDir: string): Hono {
  const app = new Hono();
  const index = path.join(clientDir, "index.html");
  if (!fs.existsSync(clientDir)) {
    app.get("*", (c) =>
      c.text("The web client is not built: run `npm run build` (npm start does it for you).", 503),
    );
    return app;
  }
  app.use(
    "/assets/*",
    serveStatic({
      root: clientDir,
      onFound: (_path, c) => {
        c.header("cache-control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.use("*", serveStatic({ root: clientDir }));
  app.get("*", (c) => {
    c.header("cache-control", "no-cache");
    return c.html(fs.readFileSync(index, "utf8"));
  });
  return app;
}
