import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  initIncident,
  migrate,
  readIncident,
  SCHEMA_VERSION,
  schemaVersion,
} from "#shared/doc/index.ts";

describe("schema migrations", () => {
  it("brings a version-0 document (never initialised by hotdoc) up to the current version with defaults", () => {
    const doc = new Y.Doc();
    expect(schemaVersion(doc)).toBe(0);
    expect(migrate(doc)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(schemaVersion(doc)).toBe(SCHEMA_VERSION);
    expect(readIncident(doc)).toMatchObject({
      status: "new",
      service: "Unknown",
      products: [],
      times: { startedAt: null },
    });
  });
  it("leaves a current document untouched", () => {
    const doc = new Y.Doc();
    initIncident(doc, {
      key: "HOT-1",
      summary: "x",
      severity: 3,
      actor: { name: "a", source: "api" },
    });
    const before = Y.encodeStateVector(doc);
    expect(migrate(doc)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });
});
