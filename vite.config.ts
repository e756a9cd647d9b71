import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const server = "http://localhost:3000";

/**
 * The web client's build (rooted in client/). It imports nothing from devDependencies,
 * because `npm start` builds the client on a production install; the test suite has its
 * own vitest.config.ts.
 */
export default defineConfig({
  root: path.join(import.meta.dirname, "client"),
  plugins: [react()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    // The incident page's chunk carries TipTap, ProseMirror and the Yjs provider (~560 kB,
    // ~175 kB gzipped); it loads only when an incident is opened, so the dashboard stays small.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      "/api": server,
      "/healthz": server,
      "/collab": { target: server, ws: true },
    },
  },
});
