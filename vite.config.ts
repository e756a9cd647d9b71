import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const server = "http://localhost:3000";

/**
 * One config for the web client (Vite, rooted in client/) and the test suite
 * (Vitest, rooted in the repository so it finds test/**, never client files).
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
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
