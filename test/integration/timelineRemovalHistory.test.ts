import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { appendTimelineEntry, removeTimelineEntry } from "#shared/doc/index.ts";
import { startTestServer } from "../helpers/testServer.ts";

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, "..", "..", "server", "cli", "export.ts");
const SECRET = "AKIA-not-a-real-key-55127";
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("timeline text removed in hotdoc stays out of the past", () => {
  it("the offline export CLI at an earlier instant leaves it out, as the server does", async () => {
    const server = await startTestServer();
    const actor = { subject: "ana", name: "Ana", role: "responder" as const, scope: "*" };
    let before = "";
    let key = "";
    try {
      key = (await server.api("POST", "/api/incidents", { summary: "Leaky", severity: 3 })).body
        .key;
      const id = await server.hotdoc.incidents.write(
        key,
        actor,
        (doc) => appendTimelineEntry(doc, { author: "Ana", text: `key is ${SECRET}` }).id,
      );
      await pause(30);
      before = new Date().toISOString();
      await pause(30);
      await server.hotdoc.incidents.write(key, actor, (doc, who) =>
        removeTimelineEntry(doc, id, { reason: "leaked an access key" }, who),
      );
      const served = await server.api(
        "GET",
        `/api/incidents/${key}/export?format=markdown&at=${encodeURIComponent(before)}`,
      );
      expect(served.body).not.toContain(SECRET);
      expect(served.body).toContain("Entry removed by Ana at ");
    } finally {
      await server.close();
    }

    const exportAt = async (at?: string) =>
      (
        await run(process.execPath, [
          CLI,
          key,
          "--format",
          "markdown",
          "--data-dir",
          server.dataDir,
          ...(at ? ["--at", at] : []),
        ])
      ).stdout;
    const past = await exportAt(before);
    expect(past).toContain("leaked an access key");
    expect(past).not.toContain(SECRET);
    expect(await exportAt()).not.toContain(SECRET);
  }, 30_000);
});
