import { type Logger, pino } from "pino";

export type { Logger };

/**
 * One structured JSON logger for the process. Modules take a child with their
 * category; anything about one incident adds `incident` to the line.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "hotdoc" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? process.stdout,
  );
}

export function categoryLogger(root: Logger, category: string): Logger {
  return root.child({ category });
}
