import { describe, expect, it } from "vitest";
import { ACTIONS, can, type Principal } from "#shared/access.ts";

const p = (role: Principal["role"], scope = "HOT-1"): Principal => ({
  subject: role,
  name: role,
  role,
  scope,
});

describe("the access policy", () => {
  it("gives admins everything", () => {
    for (const action of ACTIONS) expect(can(p("admin", "*"), action, "HOT-9")).toBe(true);
  });
  it("lets a responder read, edit and export its incident only", () => {
    const r = p("responder");
    expect(["read", "edit", "export"].map((a) => can(r, a as never, "HOT-1"))).toEqual([
      true,
      true,
      true,
    ]);
    expect(can(r, "edit", "HOT-2")).toBe(false);
    expect(can(r, "create_incident")).toBe(false);
    expect(can(r, "manage_links", "HOT-1")).toBe(false);
    expect(can(p("responder", "*"), "create_incident")).toBe(true);
    expect(can(p("responder", "*"), "manage_links", "HOT-7")).toBe(true);
    expect(can(p("responder", "*"), "manage_tokens")).toBe(false);
  });
  it("lets a viewer read and export its incident, never change anything", () => {
    const v = p("viewer");
    expect(can(v, "read", "HOT-1")).toBe(true);
    expect(can(v, "export", "HOT-1")).toBe(true);
    for (const action of [
      "edit",
      "create_incident",
      "manage_links",
      "manage_tokens",
      "bridge",
    ] as const) {
      expect(can(v, action, "HOT-1")).toBe(false);
    }
    expect(can(v, "read", "HOT-2")).toBe(false);
  });
  it("lets the bridge write chat into timelines but not edit fields", () => {
    const b = p("bridge", "*");
    expect(can(b, "bridge", "HOT-3")).toBe(true);
    expect(can(b, "edit", "HOT-3")).toBe(false);
  });
});
