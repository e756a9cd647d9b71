import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  bridgePrincipal,
  can,
  chatDeclarer,
  type Principal,
  SYSTEM_PRINCIPAL,
  TOKEN_ROLES,
} from "#shared/access.ts";

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
  it("lets a chat delivery mirror into and read its room's incident, and nothing else", () => {
    const b = bridgePrincipal("slack", "HOT-3");
    expect(b).toMatchObject({ role: "bridge", scope: "HOT-3", subject: "bridge:slack" });
    expect(can(b, "bridge", "HOT-3")).toBe(true);
    expect(can(b, "read", "HOT-3")).toBe(true);
    // Not outside chat, not another incident, never links, tokens or exports.
    for (const action of ACTIONS.filter((a) => a !== "bridge" && a !== "read")) {
      expect(can(b, action, "HOT-3"), action).toBe(false);
    }
    for (const action of ACTIONS) {
      expect(can(b, action, "HOT-4"), action).toBe(false);
      expect(can(b, action), action).toBe(false);
    }
    // Scoped to every incident, a bridge is a declaration said in chat: it may open a
    // new incident and nothing else, in no incident.
    const declarer = chatDeclarer("slack", "Ana");
    expect(declarer).toMatchObject({ role: "bridge", scope: "*", name: "Ana" });
    expect(can(declarer, "create_incident")).toBe(true);
    for (const action of ACTIONS.filter((a) => a !== "create_incident")) {
      expect(can(declarer, action, "HOT-3"), action).toBe(false);
      expect(can(declarer, action), action).toBe(false);
    }
  });
  it("lets only admins and the server itself act as a bridge, and mints no bridge tokens", () => {
    expect(can(p("admin", "*"), "bridge", "HOT-1")).toBe(true);
    expect(can(SYSTEM_PRINCIPAL, "bridge", "HOT-1")).toBe(true);
    expect(can(p("responder", "*"), "bridge", "HOT-1")).toBe(false);
    expect(can(p("viewer"), "bridge", "HOT-1")).toBe(false);
    expect(TOKEN_ROLES).not.toContain("bridge");
  });
});
