import { format } from "node:util";
import type { Logger } from "./logger.ts";

type Method = "error" | "warn" | "debug" | "trace";
type Level = "error" | "warn" | "debug" | "trace";

/**
 * What libraries print about a misbehaving client (Hocuspocus' "closing connection …
 * because of exception", an unknown message type, an unauthenticated queue overflow):
 * one info line without a stack, never a multi-line trace that an anonymous peer can
 * make the server print at will.
 */
const CLIENT_CAUSED = [
  /^closing connection .* because of exception/,
  /^Unable to handle message of type/,
  /^Received an authentication message on a connection that is already/,
  /unauthenticated message queue (size|length) limit exceeded/,
  /^Hocuspocus: closing connection/,
];

/**
 * What libraries print as an error about their own normal work: with several processes,
 * the Redis extension's store lock is often held by another process, and Hocuspocus
 * prints every hook's refusal. A debug line, not an error.
 */
const EXPECTED = [/^\[onStoreDocument\] Another instance is already storing this document/];

// console.log and console.info stay as they are: they are what entry points and scripts
// (the CLI, the benchmark) print for people; libraries report trouble on error and warn.
const LEVEL_OF: Record<Method, Level> = {
  error: "error",
  warn: "warn",
  debug: "debug",
  trace: "trace",
};
const METHODS = Object.keys(LEVEL_OF) as Method[];

const loggers: Logger[] = [];
let originals: Partial<Record<Method, (...args: unknown[]) => void>> | null = null;

/**
 * Sends what libraries print with `console.error/warn/debug/trace` through the structured logger
 * (category "library", at the matching level, one JSON line each), so LOG_LEVEL
 * governs it. Process-wide; returns the function that undoes it. Several servers in
 * one process (tests) stack: the newest logger gets the lines.
 */
export function routeConsole(logger: Logger): () => void {
  const library = logger.child({ category: "library" });
  loggers.push(library);
  if (!originals) {
    originals = {};
    for (const method of METHODS) {
      originals[method] = console[method];
      console[method] = (...args: unknown[]) => emit(LEVEL_OF[method], args);
    }
  }
  return () => {
    const index = loggers.indexOf(library);
    if (index >= 0) loggers.splice(index, 1);
    if (loggers.length === 0 && originals) {
      for (const method of METHODS) console[method] = originals[method] as never;
      originals = null;
    }
  };
}

function emit(level: Level, args: unknown[]): void {
  const logger = loggers.at(-1);
  if (!logger) return;
  const errors = args.filter((a): a is Error => a instanceof Error);
  const text = format(...args.filter((a) => !(a instanceof Error))).trim();
  const message = text || errors[0]?.message || "(no message)";
  if (CLIENT_CAUSED.some((pattern) => pattern.test(message))) {
    logger.info(
      { err: errors[0] ? { type: errors[0].name, message: errors[0].message } : undefined },
      message,
    );
    return;
  }
  if (EXPECTED.some((pattern) => pattern.test(message))) {
    logger.debug(message);
    return;
  }
  logger[level]({ err: errors[0] }, message);
}
