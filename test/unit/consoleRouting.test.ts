import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { routeConsole } from "../../server/consoleRouting.ts";
import { createLogger } from "../../server/logger.ts";

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

it("logs a library's lines at their level, its expected store-lock refusal at debug", async () => {
  const { lines, stream } = capture();
  const undo = routeConsole(createLogger("trace", stream));
  try {
    // What Hocuspocus prints when another process holds the Redis extension's store lock.
    console.error("[onStoreDocument]", "Another instance is already storing this document");
    console.error("[onLoadDocument]", "something else went wrong");
  } finally {
    undo();
  }
  await new Promise((resolve) => setImmediate(resolve));
  const level = (text: string) => lines.find((l) => String(l.msg).includes(text))?.level;
  expect(level("Another instance is already storing")).toBe("debug");
  expect(level("something else went wrong")).toBe("error");
});
