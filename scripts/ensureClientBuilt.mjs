// Builds the web client when dist/client/index.html is missing or older than the
// client and shared sources, so `npm start` works from a fresh checkout and after a
// pull. Plain JavaScript that any Node version can run; prints nothing when the
// built client is current.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const index = path.join(root, "dist", "client", "index.html");

/** Newest modification time of any file below `dir` (0 when it does not exist). */
function newest(dir) {
  if (!fs.existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    latest = Math.max(latest, fs.statSync(file).mtimeMs);
  }
  return latest;
}

const stale =
  !fs.existsSync(index) ||
  Math.max(newest(path.join(root, "client")), newest(path.join(root, "shared"))) >
    fs.statSync(index).mtimeMs;

if (stale) {
  const windows = process.platform === "win32";
  const vite = path.join(root, "node_modules", ".bin", windows ? "vite.cmd" : "vite");
  if (!fs.existsSync(vite)) {
    process.stderr.write(
      "The web client is not built and Vite is missing: run `npm install`, then `npm run build`.\n",
    );
    process.exit(1);
  }
  process.stdout.write("Building the web client (dist/client)…\n");
  const child = spawn(vite, ["build"], { cwd: root, stdio: "inherit", shell: windows });
  child.on("error", (error) => {
    process.stderr.write(`Could not run vite build: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (code === 0) process.exit(0);
    process.stderr.write(
      `vite build failed (${signal ? `signal ${signal}` : `exit code ${code}`}).\n`,
    );
    process.exit(code || 1);
  });
}
