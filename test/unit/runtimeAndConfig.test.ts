import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript module without types, kept parseable by any Node version
import { runtimeProblem } from "../../scripts/preflight.mjs";
import { ConfigError, loadConfig } from "../../server/config.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

describe("runtime check", () => {
  it("accepts Node 22.12+ and refuses older runtimes with one sentence", () => {
    expect(runtimeProblem("24.21.0")).toBeNull();
    expect(runtimeProblem("22.12.0")).toBeNull();
    const problem = runtimeProblem("20.20.2") as string;
    expect(problem).toMatch(/^hotdoc needs Node\.js 22\.12 or newer but is running on 20\.20\.2;/);
    expect(problem.split("\n")).toHaveLength(1);
    expect(runtimeProblem("22.11.0")).not.toBeNull();
  });
  it("passes on the runtime npm scripts use", () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, "scripts", "preflight.mjs")], {
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });
});

describe("configuration", () => {
  it("works with no configuration at all", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: "localhost",
      keyPrefix: "HOT",
      historyDays: 30,
      checkpointEvery: 500,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });
  it("names every bad variable in one clear error", () => {
    expect(() => loadConfig({ PORT: "eighty", KEY_PREFIX: "hot" })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: "eighty", KEY_PREFIX: "hot" });
    } catch (error) {
      expect((error as Error).message).toContain("PORT");
      expect((error as Error).message).toContain("KEY_PREFIX");
    }
  });
  it("refuses to start on a bad value with one line and exit code 1", () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, "server", "main.ts")], {
      encoding: "utf8",
      env: { ...process.env, PORT: "not-a-port" },
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("PORT");
  });
});
