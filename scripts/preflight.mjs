// Runs before every npm script that needs the project's runtime. It is plain
// JavaScript that any Node version can parse, so an old runtime gets one clear
// sentence instead of a syntax error or a stack trace from deep in a dependency.
import { pathToFileURL } from "node:url";

export const MINIMUM = [22, 12];

/** Returns null when `version` (e.g. "24.21.0") is new enough, else the sentence to print. */
export function runtimeProblem(version) {
  const [major, minor] = String(version)
    .split(".")
    .map((part) => Number.parseInt(part, 10));
  if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) return null;
  return (
    `hotdoc needs Node.js ${MINIMUM.join(".")} or newer but is running on ${version}; ` +
    "run `npm install` so the project's own Node 24 (the `node` package) is used by npm scripts."
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problem = runtimeProblem(process.versions.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
